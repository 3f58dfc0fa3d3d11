import { DeliveryError, type ChannelProvider, type SendResult } from '@switchboard/channel-sdk';
import type { EmailConfig } from '../sender-email.config';
import type { EmailMessage } from './email.renderer';
import { composeMime, envelopeOf } from './mime';
import { SmtpPool } from './smtp-pool';

/** SMTP replies about the sender's own session (authentication), not the recipient: a provider problem. */
const SESSION_CODES = new Set([421, 530, 534, 535, 538]);

/** SMTP reply → DeliveryError: 5xx permanent (the recipient or message is refused for good), 4xx and no reply transient. */
export function classifySmtpError(error: unknown): DeliveryError {
  const e = error as { responseCode?: number; code?: string; message?: string };
  const message = e.message ?? String(error);
  if (typeof e.responseCode === 'number') {
    const code = `smtp_${e.responseCode}`;
    if (e.responseCode >= 500 && !SESSION_CODES.has(e.responseCode) && e.code !== 'EAUTH')
      return DeliveryError.permanent(code, message, error);
    return DeliveryError.transient(code, message, error);
  }
  return DeliveryError.transient((e.code ?? 'smtp_error').toLowerCase(), message, error);
}

/** A pool of nodemailer SMTP connections, sending the message this sender composed. */
export class SmtpProvider implements ChannelProvider<EmailMessage> {
  readonly name = 'smtp';
  private readonly pool: SmtpPool;

  constructor(config: EmailConfig['smtp']) {
    this.pool = new SmtpPool({
      host: config.host,
      port: config.port,
      secure: config.secure,
      auth: config.user ? { user: config.user, pass: config.pass ?? '' } : undefined,
      size: config.poolSize,
      maxMessages: 1_000,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(message: EmailMessage): Promise<SendResult> {
    let response: string;
    try {
      ({ response } = await this.pool.send(envelopeOf(message), composeMime(message)));
    } catch (error) {
      throw classifySmtpError(error);
    }
    return { providerMessageId: message.messageId, meta: { response } };
  }

  close(): void {
    this.pool.close();
  }
}
