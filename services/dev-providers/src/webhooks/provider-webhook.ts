import type { FeedbackKind } from '../control';

/** What a provider's feedback webhook needs to know of an accepted email. */
export interface AcceptedMail {
  /** The envelope sender (the VERP return path). */
  mailFrom: string;
  rcptTo: string;
  /** The Message-ID header as sent, angle brackets included. */
  messageId: string | undefined;
  subject: string;
  receivedAt: Date;
}

/** A provider that reports on accepted mail by calling a webhook (SES through SNS, SendGrid's Event Webhook). */
export interface FeedbackWebhook {
  /** Calls the webhook about `mail`; resolves with the HTTP status it got. */
  notify(kind: FeedbackKind, mail: AcceptedMail): Promise<number>;
}

/** Every call a notifier made, with the answer. */
export interface WebhookCall {
  kind: string;
  httpStatus?: number;
  error?: string;
}

export async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  calls: WebhookCall[],
  kind: string,
): Promise<number> {
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    calls.push({ kind, httpStatus: res.status });
    return res.status;
  } catch (err) {
    calls.push({ kind, error: (err as Error).message });
    return 0;
  }
}
