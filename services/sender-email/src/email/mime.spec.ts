import { simpleParser } from 'mailparser';
import { composeMime } from './mime';

describe('composeMime', () => {
  const text =
    'Hi Ann,\n\nline one  \nline two\r\n.a leading dot\rbare CR\n' +
    'long words '.repeat(20) +
    '\nnon-ASCII: café 😀\n';
  const html = `<p>Hi\n${'<a href="https://shop.example/?a=1">x</a> '.repeat(5)}</p>\r\n<p>é</p>`;
  const mime = composeMime({
    from: { name: 'Shop', address: 'news@shop.example' },
    to: 'ann@example.org',
    subject: 'Hi',
    html,
    text,
    messageId: '<1@shop.example>',
    headers: {},
  });

  it('ends every line with CRLF and keeps lines to 76 characters', () => {
    expect(mime.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of mime.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
  });

  it('decodes to the text and HTML given, line breaks as LF', async () => {
    const parsed = await simpleParser(mime);
    expect(parsed.text).toBe(text.replace(/\r\n?/g, '\n'));
    expect(parsed.html).toBe(html.replace(/\r\n?/g, '\n'));
  });
});
