import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { FeedbackKind } from '../control';

export interface ReportRelay {
  host: string;
  port: number;
}

export interface OriginalMail {
  /** The envelope sender: the VERP return path the report goes back to. */
  mailFrom: string;
  rcptTo: string;
  /** The original's header block, as received. */
  headerBlock: string;
  receivedAt: Date;
}

const HOST = 'smtp.dev-providers.local';
const CRLF = '\r\n';

/**
 * The report a receiving mail system sends back for `kind`: a DSN (RFC 3464) for a delivery or a
 * bounce, an ARF feedback report (RFC 5965) for a complaint, addressed to the original's return path.
 */
export function composeReport(kind: FeedbackKind, original: OriginalMail, now = new Date()): string {
  const boundary = `dev-report-${randomBytes(8).toString('hex')}`;
  const id = `<${kind}-${randomBytes(8).toString('hex')}@${HOST}>`;
  const date = now.toUTCString().replace('GMT', '+0000');
  const header = (reportType: string, subject: string, from: string) =>
    [
      `From: ${from}`,
      `To: <${original.mailFrom}>`,
      `Subject: ${subject}`,
      `Message-ID: ${id}`,
      `Date: ${date}`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=${reportType}; boundary="${boundary}"`,
    ].join(CRLF);
  const part = (type: string, body: string) => `--${boundary}${CRLF}Content-Type: ${type}${CRLF}${CRLF}${body}`;
  const arrival = original.receivedAt.toUTCString().replace('GMT', '+0000');

  if (kind === 'complaint') {
    return [
      header('feedback-report', 'Abuse report', `Feedback Loop <fbl@${HOST}>`),
      '',
      part('text/plain; charset=us-ascii', `The recipient marked this message as spam.${CRLF}`),
      part(
        'message/feedback-report',
        [
          'Feedback-Type: abuse',
          'User-Agent: dev-providers-fbl/1.0',
          'Version: 1',
          `Original-Mail-From: <${original.mailFrom}>`,
          `Original-Rcpt-To: <${original.rcptTo}>`,
          `Arrival-Date: ${arrival}`,
          'Source-IP: 127.0.0.1',
          '',
        ].join(CRLF),
      ),
      part('message/rfc822', `${original.headerBlock}${CRLF}${CRLF}(body removed)${CRLF}`),
      `--${boundary}--`,
      '',
    ].join(CRLF);
  }
  const recipient = {
    delivered: [
      'Action: delivered',
      'Status: 2.0.0',
      `Diagnostic-Code: smtp; 250 2.0.0 Ok: delivered to ${original.rcptTo}`,
    ],
    soft_bounce: [
      'Action: delayed',
      'Status: 4.2.2',
      `Diagnostic-Code: smtp; 452 4.2.2 <${original.rcptTo}>: mailbox full`,
      `Will-Retry-Until: ${new Date(now.getTime() + 4 * 86_400_000).toUTCString().replace('GMT', '+0000')}`,
    ],
    hard_bounce: [
      'Action: failed',
      'Status: 5.1.1',
      `Diagnostic-Code: smtp; 550 5.1.1 <${original.rcptTo}>: Recipient address rejected: User unknown`,
    ],
  }[kind];
  const subject = {
    delivered: 'Successful Mail Delivery Report',
    soft_bounce: 'Delayed Mail (still being retried)',
    hard_bounce: 'Undelivered Mail Returned to Sender',
  }[kind];
  return [
    header('delivery-status', subject, `Mail Delivery System <MAILER-DAEMON@${HOST}>`),
    '',
    part('text/plain; charset=us-ascii', `This is the mail system at host ${HOST}.${CRLF}`),
    part(
      'message/delivery-status',
      [
        `Reporting-MTA: dns; ${HOST}`,
        `Arrival-Date: ${arrival}`,
        '',
        `Final-Recipient: rfc822; ${original.rcptTo}`,
        `Original-Recipient: rfc822; ${original.rcptTo}`,
        ...recipient,
        '',
      ].join(CRLF),
    ),
    part('text/rfc822-headers', `${original.headerBlock}${CRLF}`),
    `--${boundary}--`,
    '',
  ].join(CRLF);
}

/** Sends a report from the null sender (`MAIL FROM:<>`, RFC 3464 §2) to the original's return path. */
export async function sendReport(relay: ReportRelay, kind: FeedbackKind, original: OriginalMail): Promise<void> {
  const transport = nodemailer.createTransport({
    host: relay.host,
    port: relay.port,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 5_000,
  });
  try {
    await transport.sendMail({
      envelope: { from: '', to: [original.mailFrom] },
      raw: composeReport(kind, original),
    });
  } finally {
    transport.close();
  }
}
