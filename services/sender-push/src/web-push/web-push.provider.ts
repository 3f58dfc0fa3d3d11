import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import webpush, { WebPushError, type PushSubscription } from 'web-push';
import { asDeliveryError, DeliveryError, type ChannelProvider, type SendResult } from '@switchboard/channel-sdk';
import { preferencesWebPushRemove, type Dispatch } from '@switchboard/contracts';
import type { RpcClient } from '@switchboard/messaging';
import type { Logger } from '@switchboard/telemetry';
import type { PushConfig } from '../sender-push.config';
import type { WebPushMessage } from './web-push.renderer';

type Outcome = { kind: 'delivered' } | { kind: 'gone' } | { kind: 'failed'; error: DeliveryError };

/** A push service's answer → what it means for this subscription. */
export function classifyPushError(error: unknown): Outcome {
  if (!(error instanceof WebPushError)) return { kind: 'failed', error: asDeliveryError(error) };
  const { statusCode: status } = error;
  if (status === 404 || status === 410) return { kind: 'gone' };
  const message = `push service answered ${status}: ${error.body || error.message}`.slice(0, 500);
  // 401: our VAPID header was not accepted at all (configuration); 429/5xx: the push service's trouble.
  if (status === 401 || status === 429 || status >= 500)
    return { kind: 'failed', error: DeliveryError.transient(`webpush_${status}`, message) };
  // 400, 403 (a subscription bound to another VAPID key), 413: this message can never go to this subscription.
  return { kind: 'failed', error: DeliveryError.permanent(`webpush_${status}`, message) };
}

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291) via `web-push`, to
 * every subscription of the contact. A subscription the push service calls gone (404/410) is
 * removed through preferences; the dispatch fails permanently when none took the notification.
 */
export class WebPushProvider implements ChannelProvider<WebPushMessage> {
  readonly name = 'webpush';
  private readonly agent: Agent;

  constructor(
    private readonly config: NonNullable<PushConfig['webPush']>,
    private readonly rpc: RpcClient,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {
    this.agent = new Agent({ keepAlive: true, ...(config.caPem ? { ca: [...rootCertificates, config.caPem] } : {}) });
  }

  async send(message: WebPushMessage, dispatch: Dispatch): Promise<SendResult> {
    const outcomes = await Promise.all(message.subscriptions.map((s) => this.push(s, message.payload)));
    const gone = message.subscriptions.filter((_, i) => outcomes[i].kind === 'gone');
    await Promise.all(gone.map((s) => this.remove(dispatch.contact.id, s.endpoint)));
    const delivered = outcomes.filter((o) => o.kind === 'delivered').length;
    if (delivered > 0)
      return { meta: { subscriptions: message.subscriptions.length, delivered, removed: gone.length } };
    const errors = outcomes.flatMap((o) => (o.kind === 'failed' ? [o.error] : []));
    const transient = errors.find((e) => !e.permanent);
    if (transient) throw transient;
    throw (
      errors[0] ??
      DeliveryError.permanent(
        'subscription_gone',
        `every web-push subscription of the contact is gone (${gone.length} removed)`,
      )
    );
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

  private async remove(contactId: string, endpoint: string): Promise<void> {
    try {
      const { remaining } = await this.rpc.call(preferencesWebPushRemove, { contactId, endpoint });
      this.logger.info({ contactId, remaining }, 'removed a web-push subscription the push service calls gone');
    } catch (error) {
      // Not fatal: the next push to it is refused again and removal is retried then.
      this.logger.warn({ err: error, contactId }, 'could not remove a gone web-push subscription');
    }
  }
}
