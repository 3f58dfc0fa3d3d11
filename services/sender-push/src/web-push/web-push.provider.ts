import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import webpush, { WebPushError, type PushSubscription } from 'web-push';
import {
  asDeliveryError,
  DeliveryError,
  type CallFeedback,
  type ChannelProvider,
  type SendResult,
} from '@switchboard/channel-sdk';
import type { PushConfig } from '../sender-push.config';
import type { WebPushMessage } from './web-push.renderer';

type Outcome =
  | { kind: 'delivered' }
  | { kind: 'gone'; status: number; diagnostic: string }
  | { kind: 'failed'; error: DeliveryError };

/** A push service's answer → what it means for this subscription. */
export function classifyPushError(error: unknown): Outcome {
  if (!(error instanceof WebPushError)) return { kind: 'failed', error: asDeliveryError(error) };
  const { statusCode: status } = error;
  const message = `push service answered ${status}: ${error.body || error.message}`.slice(0, 500);
  // RFC 8030 §7.3: 404 (an endpoint the push service does not know) and 410 (the user unsubscribed
  // or it expired) mean this subscription will never take a push again.
  if (status === 404 || status === 410) return { kind: 'gone', status, diagnostic: message };
  // 401: our VAPID header was not accepted at all (configuration); 429/5xx: the push service's trouble.
  if (status === 401 || status === 429 || status >= 500)
    return { kind: 'failed', error: DeliveryError.transient(`webpush_${status}`, message) };
  // 400, 403 (a subscription bound to another VAPID key), 413: this message can never go to this subscription.
  return { kind: 'failed', error: DeliveryError.permanent(`webpush_${status}`, message) };
}

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291) via `web-push`, to
 * every subscription of the contact. Each subscription the push service calls gone (404/410) comes
 * back as a hard bounce naming it (`removedAddress`), which makes preferences drop it from the
 * contact; the dispatch fails permanently when no subscription took the notification.
 */
export class WebPushProvider implements ChannelProvider<WebPushMessage> {
  readonly name = 'webpush';
  private readonly agent: Agent;

  constructor(
    private readonly config: NonNullable<PushConfig['webPush']>,
    private readonly timeoutMs: number,
  ) {
    this.agent = new Agent({ keepAlive: true, ...(config.caPem ? { ca: [...rootCertificates, config.caPem] } : {}) });
  }

  async send(message: WebPushMessage): Promise<SendResult> {
    const outcomes = await Promise.all(message.subscriptions.map((s) => this.push(s, message.payload)));
    const feedback = message.subscriptions.flatMap((s, i): CallFeedback[] => {
      const o = outcomes[i];
      return o.kind === 'gone'
        ? [
            {
              event: 'bounced',
              bounce: 'hard',
              source: 'webpush',
              code: String(o.status),
              diagnostic: o.diagnostic,
              removedAddress: s.endpoint,
            },
          ]
        : [];
    });
    const delivered = outcomes.filter((o) => o.kind === 'delivered').length;
    if (delivered > 0)
      return {
        meta: { subscriptions: message.subscriptions.length, delivered, removed: feedback.length },
        feedback,
      };
    const errors = outcomes.flatMap((o) => (o.kind === 'failed' ? [o.error] : []));
    const failure =
      errors.find((e) => !e.permanent) ??
      errors[0] ??
      DeliveryError.permanent(
        'subscription_gone',
        `every web-push subscription of the contact is gone (${feedback.length} removed)`,
      );
    throw failure.withFeedback(feedback);
  }

  close(): void {
    this.agent.destroy();
  }

  private async push(subscription: PushSubscription, payload: string): Promise<Outcome> {
    try {
      await webpush.sendNotification(subscription, payload, {
        vapidDetails: this.config.vapid,
        TTL: this.config.ttlSeconds,
        urgency: 'normal',
        agent: this.agent,
        timeout: this.timeoutMs,
      });
      return { kind: 'delivered' };
    } catch (error) {
      return classifyPushError(error);
    }
  }
}
