import { smsSegments as sut } from './sms-segments';

describe('smsSegments', () => {
  it('counts GSM-7 septets: 160 in one segment, 153 per part beyond', () => {
    expect(sut('')).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(sut('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(sut('a'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2 });
    expect(sut('é'.repeat(306))).toEqual({ encoding: 'GSM-7', segments: 2 });
    expect(sut('é'.repeat(307))).toEqual({ encoding: 'GSM-7', segments: 3 });
  });

  it('counts extension-table characters as two septets', () => {
    expect(sut('€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(sut('€'.repeat(81))).toEqual({ encoding: 'GSM-7', segments: 2 });
    expect(sut('{}[]~|^\\\f'.repeat(8) + 'abcdefghijklmnop')).toEqual({ encoding: 'GSM-7', segments: 1 });
  });

  it('keeps GSM-7 for the basic table, line breaks and accented letters it holds', () => {
    expect(sut('Hej Åsa,\r\nØl på ÆØÅ? ¿Qué?').encoding).toBe('GSM-7');
  });

  it('switches to UCS-2 for any other character: 70 UTF-16 units, 67 per part', () => {
    expect(sut('✓'.repeat(70))).toEqual({ encoding: 'UCS-2', segments: 1 });
    expect(sut('✓'.repeat(71))).toEqual({ encoding: 'UCS-2', segments: 2 });
    expect(sut('ł'.repeat(134))).toEqual({ encoding: 'UCS-2', segments: 2 });
    expect(sut('a'.repeat(100) + 'ł')).toEqual({ encoding: 'UCS-2', segments: 2 });
  });

  it('counts characters outside the BMP as two UTF-16 units', () => {
    expect(sut('👋'.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 1 });
    expect(sut('👋'.repeat(36))).toEqual({ encoding: 'UCS-2', segments: 2 });
  });
});
