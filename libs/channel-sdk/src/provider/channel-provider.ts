import type { Dispatch, FeedbackReport } from '@switchboard/contracts';

/**
 * Feedback the provider gave in its answer to this very call (a push service's 410 for one of the
 * contact's subscriptions): the SDK reports it for the dispatch through the feedback stream, like
 * any later report; a test send reports nothing.
 */
export type CallFeedback = Omit<FeedbackReport, 'dispatchId' | 'providerMessageId'>;

/** What a provider reports about an accepted message. */
export interface SendResult {
  /** The provider's own id of the message (SMTP Message-ID, Twilio SID, tweet id...). */
  providerMessageId?: string;
  /** Goes into the delivery event's `meta` (SMS segments, push recipients...). */
  meta?: Record<string, unknown>;
  feedback?: CallFeedback[];
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
  /** What the provider said about the contact's targets on the way to this failure (dead push subscriptions). */
  readonly feedback: CallFeedback[];

  constructor(
    readonly code: string,
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown; feedback?: CallFeedback[] },
  ) {
    super(message, options);
    this.name = 'DeliveryError';
    this.feedback = options?.feedback ?? [];
  }

  /** The same failure, carrying the feedback of the call that ended in it. */
  withFeedback(feedback: CallFeedback[]): DeliveryError {
    if (feedback.length === 0) return this;
    return new DeliveryError(this.code, this.message, this.permanent, {
      cause: this.cause,
      feedback: [...this.feedback, ...feedback],
    });
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
