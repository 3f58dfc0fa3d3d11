import type { Channel } from './channels';
import type { DeliveryEventKind, NatsNames } from './naming';
import type { ServiceNatsUser } from './nats-users';

/**
 * A JetStream durable consumer: its name, persistent state like a subject (a renamed durable
 * starts over from the stream's first message), and the subject it filters.
 */
export interface DurableConsumer {
  durable: string;
  subject: string;
}

/** The channels each sender sends: one dispatch and one feedback durable per channel. */
export const SENDER_CHANNELS = {
  'sender-email': ['email'],
  'sender-sms': ['sms'],
  'sender-push': ['notification', 'mobile_notification'],
  'sender-tweet': ['tweet'],
  'sender-inapp': ['inapp'],
} as const satisfies Record<Extract<ServiceNatsUser, `sender-${string}`>, readonly Channel[]>;
export type SenderService = keyof typeof SENDER_CHANNELS;

const byKey = <K extends string>(keys: readonly K[], consumer: (key: K) => DurableConsumer) =>
  Object.fromEntries(keys.map((k) => [k, consumer(k)])) as Record<K, DurableConsumer>;

/**
 * The durables of a sender service (libs/channel-sdk): one for erasures, and one dispatch and one
 * feedback durable per channel it sends.
 */
export function senderConsumers(names: NatsNames, service: string) {
  const s = names.subjects;
  return {
    contactErased: { durable: `${service}-contact-erased`, subject: s.contactErased() },
    dispatch: (channel: Channel): DurableConsumer => ({
      durable: `${service}-${channel}`,
      subject: s.dispatch(channel),
    }),
    feedback: (channel: Channel): DurableConsumer => ({
      durable: `${service}-feedback-${channel}`,
      subject: s.feedbackReported(channel),
    }),
  };
}

function deployedSender(names: NatsNames, service: SenderService) {
  const consumers = senderConsumers(names, service);
  return {
    contactErased: consumers.contactErased,
    dispatch: SENDER_CHANNELS[service].map(consumers.dispatch),
    feedback: SENDER_CHANNELS[service].map(consumers.feedback),
  };
}

/**
 * Every deployed service's durable consumers: its consumers name theirs from here, libs/messaging
 * refuses to provision or run one of a service's consumers that is not listed, and its NATS user
 * may pull, read and ack these and no other (nats-users.ts).
 */
export function durableConsumers(names: NatsNames) {
  const s = names.subjects;
  const d = (durable: string, subject: string): DurableConsumer => ({ durable, subject });
  const deliveries = <E extends DeliveryEventKind>(events: readonly E[], durable: (event: E) => string) =>
    byKey(events, (e) => d(durable(e), s.delivery('*', e)));
  return {
    gateway: {},
    catalog: {},
    preferences: {
      contactUpserted: d('preferences-contact-upserted', s.contactUpserted()),
      activity: deliveries(['sent', 'opened', 'clicked'], (e) => `preferences-activity-${e}`),
      dnc: deliveries(['bounced', 'complained', 'unsubscribed'], (e) => `preferences-dnc-${e}`),
      bounceStreaksDelivered: d('preferences-bounce-streaks-delivered', s.delivery('*', 'delivered')),
    },
    'campaign-actions': {
      action: d('campaign-actions-action', s.campaignAction()),
      deferred: d('campaign-actions-deferred', s.routing('deferred')),
    },
    router: {
      sendRequested: d('router-send-requested', s.sendRequested()),
      contactErased: d('router-contact-erased', s.contactErased()),
      deliveryEvents: d('router-delivery-events', s.delivery('*', '*')),
      shipmentCanceled: d('router-shipment-canceled', s.shipmentCanceled()),
    },
    tracker: {
      delivery: d('tracker-delivery', s.delivery('*', '*')),
      routing: d('tracker-routing', s.routing('*')),
      dispatchLabels: d('tracker-dispatch-labels', s.dispatch('*')),
      contactErased: d('tracker-contact-erased', s.contactErased()),
    },
    'sender-email': deployedSender(names, 'sender-email'),
    'sender-sms': deployedSender(names, 'sender-sms'),
    'sender-push': deployedSender(names, 'sender-push'),
    'sender-tweet': deployedSender(names, 'sender-tweet'),
    'sender-inapp': deployedSender(names, 'sender-inapp'),
  } satisfies Record<ServiceNatsUser, object>;
}

function isDurableConsumer(value: unknown): value is DurableConsumer {
  return typeof value === 'object' && value !== null && 'durable' in value && 'subject' in value;
}

function flatten(value: unknown): DurableConsumer[] {
  if (isDurableConsumer(value)) return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(flatten);
}

/** A service's durable consumers as a list (none for a name that is not a service's NATS user). */
export function durableConsumersOf(names: NatsNames, service: string): DurableConsumer[] {
  const all: Record<string, unknown> = durableConsumers(names);
  return Object.hasOwn(all, service) ? flatten(all[service]) : [];
}

/**
 * The prefix of a service's reply inboxes (nats.js's `inboxPrefix`). Pull consumers receive their
 * messages on an inbox, and RPC replies come back on one: a user allowed to subscribe `_INBOX.>`
 * would read every other service's deliveries and replies, so each subscribes only under its own.
 */
export function natsInboxPrefix(user: string): string {
  return `_INBOX_${user}`;
}
