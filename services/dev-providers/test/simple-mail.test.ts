import { simpleParser, type AddressObject } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { readSimpleMail } from '../src/smtp/simple-mail';

const build = (mail: Mail.Options): Promise<Buffer> => new MailComposer(mail).compile().build();

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  return [value ?? []].flat().flatMap((o) => o.value.map((a) => a.address ?? '').filter(Boolean));
}

async function byMailparser(raw: Buffer) {
  const parsed = await simpleParser(raw);
  const { headerLines, subject = '', html, text = null } = parsed;
  return { headerLines, from: addresses(parsed.from), to: addresses(parsed.to), subject, html: html || null, text };
}

describe('readSimpleMail', () => {
  const long =
    'Ünïcödé with émojis 🎉 and a sentence that goes on well past seventy-six characters, so it wraps. '.repeat(4);

  it.each<[string, Mail.Options]>([
    [
      'text and HTML',
      {
        from: '"Shop" <news@example.com>',
        to: 'ada@example.org',
        subject: 'Hello Ada ✓',
        text: 'plain',
        html: '<p>html</p>',
        headers: { 'List-Unsubscribe': '<https://sb.example/u/t>' },
      },
    ],
    [
      'text only, dots and line ends',
      {
        from: 'a@example.com',
        to: 'b@example.com, "C, D" <c@example.com>',
        subject: 'text',
        text: 'one\r\ntwo\n.\n..dots\n\ntrailing   \n' + long,
      },
    ],
    [
      'long non-ASCII subject, name, bodies',
      { from: 'Élise <e@example.com>', to: 'b@example.com', subject: long, text: long, html: `<p>${long}</p>` },
    ],
    [
      'base64 text part',
      {
        from: 'a@example.com',
        to: 'b@example.com',
        subject: 'b64',
        text: 'ÿ bytes ✓',
        html: '<p>✓</p>',
        textEncoding: 'base64',
      },
    ],
  ])('reads %s as mailparser does', async (_, mail) => {
    const raw = await build(mail);
    expect(readSimpleMail(raw)).toEqual(await byMailparser(raw));
  });

  it.each<[string, Mail.Options]>([
    [
      'HTML only (mailparser derives the text)',
      { from: 'a@example.com', to: 'b@example.com', html: '<p>only html</p>' },
    ],
    [
      'attachments',
      { from: 'a@example.com', to: 'b@example.com', text: 'x', attachments: [{ filename: 'a.txt', content: 'hello' }] },
    ],
    ['empty parts', { from: 'a@example.com', to: 'b@example.com', text: '', html: '' }],
    [
      'another charset',
      {
        raw: 'From: a@example.com\r\nTo: b@example.com\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\ncaf\xe9\r\n',
      },
    ],
  ])('leaves %s to mailparser', async (_, mail) => {
    expect(readSimpleMail(await build(mail))).toBeUndefined();
  });
});
