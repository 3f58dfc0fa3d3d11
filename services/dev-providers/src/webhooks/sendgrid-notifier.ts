import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { FeedbackKind } from '../control';
import { post, type AcceptedMail, type FeedbackWebhook, type WebhookCall } from './provider-webhook';

export interface SendgridNotifier extends FeedbackWebhook {
  /** The webhook's URL (settable: the endpoint may start after the notifier). */
  url: string;
  /** The verification key SendGrid shows for a signed Event Webhook: base64 DER (SPKI), P-256. */
  publicKey: string;
  calls: WebhookCall[];
  /** Signs a body as SendGrid does, for tests that post by hand. */
  sign(body: string, timestamp: string): string;
}

/** The Event Webhook events for each kind of feedback, as SendGrid posts them. */
function events(kind: FeedbackKind, mail: AcceptedMail): Array<Record<string, unknown>> {
  const base = {
    email: mail.rcptTo,
    timestamp: Math.floor(Date.now() / 1000),
    'smtp-id': mail.messageId,
    sg_event_id: randomBytes(16).toString('base64url'),
    sg_message_id: `${randomBytes(11).toString('base64url')}.filter0001`,
    category: [],
  };
  switch (kind) {
    case 'delivered':
      return [
        { ...base, event: 'processed' },
        { ...base, sg_event_id: randomBytes(16).toString('base64url'), event: 'delivered', response: '250 2.0.0 OK' },
      ];
    case 'hard_bounce':
      return [
        {
          ...base,
          event: 'bounce',
          type: 'bounce',
          status: '5.1.1',
          reason: `550 5.1.1 <${mail.rcptTo}>: Recipient address rejected: User unknown`,
        },
      ];
    case 'soft_bounce':
      return [{ ...base, event: 'bounce', type: 'blocked', status: '4.2.2', reason: '452 4.2.2 Mailbox full' }];
    case 'complaint':
      return [{ ...base, event: 'spamreport' }];
  }
}

/**
 * SendGrid's signed Event Webhook: a JSON array of events, signed with ECDSA P-256 over the
 * timestamp header followed by the raw body (X-Twilio-Email-Event-Webhook-Signature, base64 DER;
 * X-Twilio-Email-Event-Webhook-Timestamp).
 */
export function createSendgridNotifier(url = ''): SendgridNotifier {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const calls: WebhookCall[] = [];
  const signBody = (body: string, timestamp: string) =>
    sign('sha256', Buffer.from(timestamp + body, 'utf8'), privateKey).toString('base64');
  const notifier: SendgridNotifier = {
    url,
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    calls,
    sign: signBody,
    notify(kind, mail) {
      const body = JSON.stringify(events(kind, mail));
      const timestamp = String(Math.floor(Date.now() / 1000));
      return post(
        notifier.url,
        body,
        {
          'content-type': 'application/json',
          'user-agent': 'SendGrid Event API',
          'x-twilio-email-event-webhook-signature': signBody(body, timestamp),
          'x-twilio-email-event-webhook-timestamp': timestamp,
        },
        calls,
        kind,
      );
    },
  };
  return notifier;
}
