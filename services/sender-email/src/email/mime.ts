import { randomBytes } from 'node:crypto';
import { encodeWords, foldLines, quoteString } from 'nodemailer/lib/mime-funcs';
import type { EmailMessage } from './email.renderer';
import { quotedPrintable } from './quoted-printable';

// A boundary must not occur in the parts: a random prefix drawn once per process ensures that as
// well as random bytes drawn per email would, and a counter makes each one unique.
const BOUNDARY_PREFIX = `sb-${randomBytes(9).toString('hex')}-`;
let boundaries = 0;

/**
 * The RFC 5322 message of an email: multipart/alternative with quoted-printable text and HTML
 * parts, encoded-word headers, folded lines. Written here (with nodemailer's header encoders) rather
 * than by nodemailer's MailComposer, whose stream pipeline costs about as much CPU per email as
 * the whole rest of the sender; nodemailer still does the SMTP.
 */
export function composeMime(message: EmailMessage, date = new Date()): string {
  const boundary = BOUNDARY_PREFIX + (++boundaries).toString(36);
  const headers = [
    header('From', mailbox(message.from)),
    header('To', message.to),
    ...(message.replyTo ? [header('Reply-To', message.replyTo)] : []),
    header('Subject', encodeWords(message.subject, 'Q', 52)),
    `Message-ID: ${message.messageId}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    ...Object.entries(message.headers).map(([name, value]) => header(name, value)),
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ];
  return [
    headers.join('\r\n'),
    '',
    `--${boundary}`,
    part('text/plain', message.text),
    `--${boundary}`,
    part('text/html', message.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** The SMTP envelope: MAIL FROM the return path (VERP) or the From address, RCPT TO the recipient. */
export function envelopeOf(message: EmailMessage): { from: string; to: string[] } {
  if (message.returnPath) return { from: message.returnPath, to: [message.to] };
  const from =
    typeof message.from === 'string' ? (/<([^>]+)>\s*$/.exec(message.from)?.[1] ?? message.from) : message.from.address;
  return { from: from.trim(), to: [message.to] };
}

function header(name: string, value: string): string {
  return foldLines(`${name}: ${value.replace(/[\r\n]+/g, ' ')}`, 76);
}

function mailbox(from: EmailMessage['from']): string {
  if (typeof from === 'string') return from;
  const name = from.name.trim();
  if (!name) return from.address;
  if (!/^[\x20-\x7e]*$/.test(name)) return `${encodeWords(name, 'Q', 52)} <${from.address}>`;
  return `${/^[\w !#$%&'*+\-/=?^`{|}~]*$/.test(name) ? name : quoteString(name)} <${from.address}>`;
}

/** Line breaks are written CRLF: nodemailer's SMTP data stream then has no bare LF to rewrite byte by byte. */
function part(type: string, body: string): string {
  return `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(body)}`;
}
