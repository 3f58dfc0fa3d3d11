import { DeliveryError, type RenderInput } from '@switchboard/channel-sdk';
import { WebPushSubscriptionSchema } from '@switchboard/contracts';
import type { PushSubscription } from 'web-push';
import { renderNotification } from '../notification/notification.renderer';

export interface WebPushMessage {
  /** Every subscription (browser) of the contact. */
  subscriptions: PushSubscription[];
  /** The JSON the service worker receives: title, body, url, icon, dispatchId. */
  payload: string;
}

/** What a push service must accept (RFC 8030 §7.2: 4096 bytes encrypted, minus the aes128gcm overhead). */
export const MAX_PAYLOAD_BYTES = 3_993;

export function renderWebPush(input: RenderInput): WebPushMessage {
  const address = input.dispatch.contact.address;
  const subscriptions = (Array.isArray(address) ? address : [])
    .map((s) => WebPushSubscriptionSchema.safeParse(s))
    .flatMap((r) => (r.success ? [r.data] : []));
  if (subscriptions.length === 0)
    throw DeliveryError.permanent('no_address', 'the contact has no valid web-push subscription');
  const payload = JSON.stringify({ ...renderNotification(input), dispatchId: input.dispatch.dispatchId });
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
    throw DeliveryError.permanent(
      'too_large',
      `the notification is ${Buffer.byteLength(payload)} bytes; push services take ${MAX_PAYLOAD_BYTES}`,
    );
  }
  return { subscriptions, payload };
}
