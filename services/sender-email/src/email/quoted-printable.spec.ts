import { simpleParser } from 'mailparser';
import { encode } from 'nodemailer/lib/qp';
import { encodeQuotedPrintable, quotedPrintable } from './quoted-printable';

const PIECES = [
  'a',
  'Z',
  ' ',
  '\t',
  '\r',
  '\n',
  '\r\n',
  '=',
  '.',
  '<',
  '>',
  '~',
  '\x00',
  '\x1b',
  '\x7f',
  'é',
  '€',
  '😀',
  '\ud800',
  '\udc00',
];

function randomTexts(count: number, maxPieces: number): string[] {
  let seed = 11;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  return Array.from({ length: count }, () => {
    let text = '';
    for (let i = Math.floor(random() * maxPieces); i > 0; i--) text += PIECES[Math.floor(random() * PIECES.length)];
    return text;
  });
}

const crlf = (text: string) => text.replace(/\r?\n|\r/g, '\r\n');

async function decode(body: string): Promise<string> {
  const parsed = await simpleParser(
    `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${body}`,
  );
  return parsed.text ?? '';
}

describe('quoted-printable', () => {
  it('encodes as nodemailer encodes the UTF-8 bytes, line breaks written CRLF', () => {
    for (const text of randomTexts(5_000, 14))
      expect(encodeQuotedPrintable(text)).toBe(encode(Buffer.from(crlf(text), 'utf8')));
    for (let code = 0; code < 0x10000; code++) {
      const text = `${String.fromCharCode(code)} x`;
      expect(encodeQuotedPrintable(text)).toBe(encode(Buffer.from(crlf(text), 'utf8')));
    }
  });

  it('keeps printable ASCII, encodes "=", non-ASCII bytes and spaces before a line break or at the end', () => {
    expect(encodeQuotedPrintable('a=b café \nend\t')).toBe('a=3Db caf=C3=A9=20\r\nend=09');
  });

  it('breaks lines longer than 76 characters with soft line breaks, never inside an =XX', async () => {
    const texts = [...randomTexts(300, 200), `${'x'.repeat(74)}é${'y'.repeat(200)}`, '='.repeat(100), 'short\nlines'];
    for (const text of texts) {
      const sut = quotedPrintable(text);
      expect(sut.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      for (const line of sut.split('\r\n')) {
        expect(line.length).toBeLessThanOrEqual(76);
        expect(line.replace(/=[0-9A-F]{2}/g, '')).toMatch(/^[^=]*=?$/); // escapes whole, a soft break's "=" last
      }
      expect(sut.replace(/=\r\n/g, '')).toBe(encodeQuotedPrintable(text));
      expect(await decode(sut)).toBe(
        Buffer.from(text, 'utf8')
          .toString('utf8')
          .replace(/\r?\n|\r/g, '\n'),
      );
    }
    expect(quotedPrintable('short\nlines')).toBe('short\r\nlines');
  });
});
