import type { Dispatch } from '@switchboard/contracts';

/** What a provider reports about an accepted message. */
export interface SendResult {
  /** The provider's own id of the message (SMTP Message-ID, Twilio SID, tweet id...). */
  providerMessageId?: string;
  /** Goes into the delivery event's `meta` (SMS segments, push recipients...). */
  meta?: Record<string, unknown>;
}

/**
 * One vendor's protocol for one channel (`smtp.provider.ts`, `twilio.provider.ts`...). `send`
 * resolves when the provider accepted the message and throws a DeliveryError (or any error, which
 * counts as transient) when it did not. The SDK wraps every call in the channel's breaker.
 */
export interface ChannelProvider<M> {
  /** Announced on the heartbeat and in delivery events: smtp, twilio, smpp, webpush, fcm, x. */
  readonly name: string;
  send(message: M, dispatch: Dispatch): Promise<SendResult>;
  /** Releases pooled connections at shutdown. */
  close?(): Promise<void> | void;
}

/**
 * A classified delivery failure. Permanent: the same message to the same address can never
 * succeed (invalid address, hard bounce, content over a limit) — the router re-routes. Transient:
 * try again later (4xx, 5xx of the provider, timeouts, connection errors).
 */
export class DeliveryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }

  static permanent(code: string, message: string, cause?: unknown): DeliveryError {
    return new DeliveryError(code, message, true, { cause });
  }

  static transient(code: string, message: string, cause?: unknown): DeliveryError {
    return new DeliveryError(code, message, false, { cause });
  }
}

/** Any error as a DeliveryError: unclassified errors (sockets, timeouts, bugs in a provider) are transient. */
export function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' && e.code ? e.code.toLowerCase() : 'provider_error';
  const message = typeof e?.message === 'string' && e.message ? e.message : String(error);
  return DeliveryError.transient(code, message, error);
}
