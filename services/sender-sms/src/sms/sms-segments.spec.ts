import { smsSegments as sut } from './sms-segments';

describe('smsSegments', () => {
  it('counts GSM-7 septets: 160 in one segment, 153 per part beyond, extension characters twice', () => {
    expect(sut('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(sut('a'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2 });
    expect(sut('€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(sut('€'.repeat(81))).toEqual({ encoding: 'GSM-7', segments: 2 });
  });

  it('switches to UCS-2 for any other character: 70 UTF-16 units, 67 per part', () => {
    expect(sut('✓'.repeat(70))).toEqual({ encoding: 'UCS-2', segments: 1 });
    expect(sut('✓'.repeat(71))).toEqual({ encoding: 'UCS-2', segments: 2 });
    expect(sut('👋'.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 1 });
  });
});
