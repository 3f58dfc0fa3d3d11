import { createServer } from 'node:http';
import { randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { FeedbackKind } from '../control';
import { closeServer, hostForUrl, listen } from '../http/http-kit';
import { createSigningCertificate } from '../webpush/self-signed';
import { post, type AcceptedMail, type FeedbackWebhook, type WebhookCall } from './provider-webhook';

export interface SesNotifier extends FeedbackWebhook {
  /** The subscribed endpoint (settable: it may start after the notifier). */
  url: string;
  topicArn: string;
  /** Where the signing certificate is served (SigningCertURL), and the SubscribeURL host. */
  baseUrl: string;
  calls: WebhookCall[];
  /** Tokens of subscriptions the endpoint confirmed by fetching its SubscribeURL. */
  confirmed: string[];
  /** Posts a SubscriptionConfirmation, as SNS does when the endpoint is subscribed. */
  subscribe(): Promise<number>;
  /** Signs an SNS message as SNS does (SignatureVersion 1 or 2), for tests that post by hand. */
  signMessage(message: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

/** The keys SNS signs, in order; Subject only when present (SNS HTTP/S message signatures). */
const SIGNED_KEYS = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
} as const;

function stringToSign(m: Record<string, string>): string {
  const keys = SIGNED_KEYS[m.Type as keyof typeof SIGNED_KEYS] ?? SIGNED_KEYS.Notification;
  return keys
    .filter((k) => m[k] !== undefined)
    .map((k) => `${k}\n${m[k]}\n`)
    .join('');
}

function signWith(key: KeyObject, certUrl: string, m: Record<string, string>): Record<string, string> {
  const version = m.SignatureVersion ?? '1';
  const signed = { ...m, SignatureVersion: version, SigningCertURL: certUrl };
  const signature = sign(version === '2' ? 'sha256' : 'sha1', Buffer.from(stringToSign(signed), 'utf8'), key);
  return { ...signed, Signature: signature.toString('base64') };
}

/** The SES notification (the SNS message's Message) for each kind of feedback. */
function sesNotification(kind: FeedbackKind, mail: AcceptedMail): Record<string, unknown> {
  const now = new Date().toISOString();
  const feedbackId = `${randomBytes(16).toString('hex')}-000000`;
  const common = {
    mail: {
      timestamp: mail.receivedAt.toISOString(),
      source: mail.mailFrom,
      sourceArn: 'arn:aws:ses:us-east-1:000000000000:identity/switchboard.test',
      messageId: `0100${randomBytes(16).toString('hex')}-000000`,
      destination: [mail.rcptTo],
      headersTruncated: false,
      commonHeaders: {
        to: [mail.rcptTo],
        subject: mail.subject,
        ...(mail.messageId ? { messageId: mail.messageId } : {}),
      },
    },
  };
  switch (kind) {
    case 'delivered':
      return {
        notificationType: 'Delivery',
        delivery: {
          timestamp: now,
          processingTimeMillis: 500,
          recipients: [mail.rcptTo],
          smtpResponse: '250 2.0.0 OK',
          reportingMTA: 'a8-1.smtp-out.amazonses.com',
        },
        ...common,
      };
    case 'hard_bounce':
    case 'soft_bounce':
      return {
        notificationType: 'Bounce',
        bounce: {
          bounceType: kind === 'hard_bounce' ? 'Permanent' : 'Transient',
          bounceSubType: kind === 'hard_bounce' ? 'General' : 'MailboxFull',
          bouncedRecipients: [
            {
              emailAddress: mail.rcptTo,
              action: 'failed',
              status: kind === 'hard_bounce' ? '5.1.1' : '4.2.2',
              diagnosticCode: kind === 'hard_bounce' ? 'smtp; 550 5.1.1 user unknown' : 'smtp; 452 4.2.2 mailbox full',
            },
          ],
          timestamp: now,
          feedbackId,
          reportingMTA: 'dsn; a8-1.smtp-out.amazonses.com',
        },
        ...common,
      };
    case 'complaint':
      return {
        notificationType: 'Complaint',
        complaint: {
          complainedRecipients: [{ emailAddress: mail.rcptTo }],
          timestamp: now,
          feedbackId,
          complaintFeedbackType: 'abuse',
          userAgent: 'dev-providers-fbl/1.0',
        },
        ...common,
      };
  }
}

/**
 * Amazon SES reporting through SNS to an HTTP(S) subscription: each notification is an SNS
 * message signed with SHA1withRSA (SignatureVersion 1) by the certificate served at its
 * SigningCertURL; a subscription is confirmed by the endpoint fetching the SubscribeURL.
 */
export async function startSesNotifier(options: {
  url?: string;
  topicArn?: string;
  host?: string;
}): Promise<SesNotifier> {
  const host = options.host ?? '127.0.0.1';
  const topicArn = options.topicArn ?? 'arn:aws:sns:us-east-1:000000000000:ses-feedback';
  const { certPem, key } = createSigningCertificate('sns.us-east-1.amazonaws.com');
  const certPath = `/SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`;
  const confirmed: string[] = [];
  const tokens = new Set<string>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sns.local');
    if (req.method === 'GET' && url.pathname === certPath) {
      res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' }).end(certPem);
      return;
    }
    const token = url.searchParams.get('Token');
    if (
      req.method === 'GET' &&
      url.searchParams.get('Action') === 'ConfirmSubscription' &&
      token &&
      tokens.has(token)
    ) {
      confirmed.push(token);
      res.writeHead(200, { 'content-type': 'text/xml' }).end('<ConfirmSubscriptionResponse/>');
      return;
    }
    res.writeHead(404).end();
  });
  const port = await listen(server, 0, host);
  const baseUrl = `http://${hostForUrl(host)}:${port}`;
  const certUrl = `${baseUrl}${certPath}`;
  const calls: WebhookCall[] = [];
  const deliver = (m: Record<string, string>, kind: string) =>
    post(
      notifier.url,
      JSON.stringify(m),
      {
        'content-type': 'text/plain; charset=UTF-8',
        'x-amz-sns-message-type': m.Type,
        'x-amz-sns-message-id': m.MessageId,
        'x-amz-sns-topic-arn': topicArn,
        'user-agent': 'Amazon Simple Notification Service Agent',
      },
      calls,
      kind,
    );
  const notifier: SesNotifier = {
    url: options.url ?? '',
    topicArn,
    baseUrl,
    calls,
    confirmed,
    signMessage: (m) => signWith(key, certUrl, m),
    notify(kind, mail) {
      const message = signWith(key, certUrl, {
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: topicArn,
        Message: JSON.stringify(sesNotification(kind, mail)),
        Timestamp: new Date().toISOString(),
        SignatureVersion: '1',
        UnsubscribeURL: `${baseUrl}/?Action=Unsubscribe`,
      });
      return deliver(message, kind);
    },
    subscribe() {
      const token = randomBytes(32).toString('hex');
      tokens.add(token);
      const message = signWith(key, certUrl, {
        Type: 'SubscriptionConfirmation',
        MessageId: randomUUID(),
        Token: token,
        TopicArn: topicArn,
        Message: `You have chosen to subscribe to the topic ${topicArn}.`,
        SubscribeURL: `${baseUrl}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}`,
        Timestamp: new Date().toISOString(),
        SignatureVersion: '1',
      });
      return deliver(message, 'subscription');
    },
    close: () => closeServer(server),
  };
  return notifier;
}
