import { DeliveryError, type ChannelProvider, type SendResult } from '@switchboard/channel-sdk';
import type { SmsConfig } from '../sender-sms.config';
import type { SmsMessage } from './sms.renderer';

/** Twilio errors about the recipient or the message itself (invalid or unreachable number, opted out, blocked...). */
export const TWILIO_PERMANENT_CODES = new Set([
  21211, 21214, 21217, 21219, 21408, 21421, 21602, 21610, 21612, 21614, 21617, 21635, 30003, 30004, 30005, 30006, 30007,
]);

interface TwilioMessageResource {
  sid: string;
  status: string;
  num_segments?: string;
}

/** Twilio's answer → DeliveryError: a 400 (invalid or opted-out number, bad body) is permanent; auth, 429 and 5xx are the provider's problem. */
export function classifyTwilioError(
  status: number,
  body: { code?: number; message?: string } | undefined,
): DeliveryError {
  const code = body?.code;
  const message = body?.message ?? `Twilio answered ${status}`;
  const name = `twilio_${code ?? status}`;
  if ((code !== undefined && TWILIO_PERMANENT_CODES.has(code)) || status === 400)
    return DeliveryError.permanent(name, message);
  return DeliveryError.transient(name, message);
}

/** Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{sid}/Messages.json`, form-encoded, HTTP Basic. */
export class TwilioProvider implements ChannelProvider<SmsMessage> {
  readonly name = 'twilio';
  private readonly url: string;
  private readonly authorization: string;

  constructor(
    private readonly config: SmsConfig['sms']['twilio'],
    private readonly timeoutMs: number,
  ) {
    this.url = `${config.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
    this.authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;
  }

  async send(message: SmsMessage): Promise<SendResult> {
    // Twilio reports delivered / undelivered / failed there (DESIGN §6), signed with the auth token.
    const form = new URLSearchParams({
      To: message.to,
      Body: message.body,
      StatusCallback: this.config.statusCallback,
    });
    const from = message.senderId ?? this.config.from;
    if (/^MG[0-9a-f]{32}$/.test(from)) form.set('MessagingServiceSid', from);
    else form.set('From', from);
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        authorization: this.authorization,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = (await res.json().catch(() => undefined)) as
      (TwilioMessageResource & { code?: number; message?: string }) | undefined;
    if (!res.ok || !body?.sid) throw classifyTwilioError(res.status, body);
    const segments = Number(body.num_segments ?? message.segments.segments);
    return {
      providerMessageId: body.sid,
      meta: { segments, encoding: message.segments.encoding, status: body.status },
    };
  }
}
