import {
  isTargetRemoval,
  type Channel,
  type DeliveryEvent,
  type DeliveryEventKind,
  type RoutingOutcome,
} from '@switchboard/contracts';

/** Routing outcomes become `routed`, `deferred` or `suppressed` (routing failed); delivery events keep their name. */
export type EventKind = 'routed' | 'deferred' | 'suppressed' | DeliveryEventKind;

/** A routing outcome or a delivery event, normalised for the deliveries log, the counters and webhooks. */
export interface TrackedEvent {
  /** Idempotency key: a second event with this key changes nothing. */
  key: string;
  /** `routing.<outcome>` or `delivery.<event>`: the webhook event type. */
  type: string;
  kind: EventKind;
  sendId: string;
  dispatchId: string | null;
  messageId: number;
  contactId: string;
  campaignId: string | null;
  campaignEventId: string | null;
  shipmentId: string | null;
  /** The channel the event is counted on; for a send not routed, the channel it was headed for. */
  channel: Channel | null;
  occurredAt: string;
  url: string | null;
  detail: Record<string, unknown> | null;
  /** What webhooks receive as `data`. */
  payload: Record<string, unknown>;
  /** A routing outcome of a re-route: the send was dispatched before, and that dispatch's failure or bounce already counts it. */
  reroute: boolean;
}

const ROUTING_KIND = { routed: 'routed', deferred: 'deferred', failed: 'suppressed' } as const;

/**
 * Producers set `Nats-Msg-Id` as the event's idempotency key (DESIGN §5); the key is namespaced by
 * event type, so two producers reusing an id for different events cannot collide.
 */
export function fromRoutingOutcome(outcome: RoutingOutcome, msgId: string | undefined): TrackedEvent {
  const type = `routing.${outcome.outcome}`;
  const id = msgId ?? `${outcome.sendId}:${outcome.attempt ?? 0}:${outcome.deferrals ?? 0}`;
  const { request: _request, ...payload } = outcome;
  return {
    key: `${type}:${id}`,
    type,
    kind: ROUTING_KIND[outcome.outcome],
    sendId: outcome.sendId,
    dispatchId: outcome.outcome === 'routed' ? (outcome.dispatchId ?? null) : null,
    messageId: outcome.messageId,
    contactId: outcome.contactId,
    campaignId: outcome.campaignId ?? null,
    campaignEventId: outcome.campaignEventId ?? null,
    shipmentId: outcome.shipmentId ?? null,
    channel: outcome.channel ?? outcome.candidates?.[0] ?? outcome.skipped[0]?.channel ?? null,
    occurredAt: outcome.occurredAt,
    url: null,
    detail: {
      skipped: outcome.skipped,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.retryAt ? { retryAt: outcome.retryAt } : {}),
    },
    payload,
    reroute: (outcome.attempt ?? 0) > 0,
  };
}

export function fromDeliveryEvent(event: DeliveryEvent, msgId: string | undefined): TrackedEvent {
  const type = `delivery.${event.event}`;
  const id =
    event.eventId ??
    msgId ??
    `${event.dispatchId}:${event.event}:${event.occurredAt}${event.url ? `:${event.url}` : ''}`;
  return {
    key: `${type}:${id}`,
    type,
    kind: event.event,
    sendId: event.sendId,
    dispatchId: event.dispatchId,
    messageId: event.messageId,
    contactId: event.contactId,
    campaignId: event.campaignId ?? null,
    campaignEventId: event.campaignEventId ?? null,
    shipmentId: event.shipmentId ?? null,
    channel: event.channel,
    occurredAt: event.occurredAt,
    url: event.url ?? null,
    detail: deliveryDetail(event),
    payload: { ...event },
    reroute: false,
  };
}

/** What the log keeps of a delivery event beyond its columns: the error, a removed push target, the content variant a sender rendered. */
function deliveryDetail(event: DeliveryEvent): Record<string, unknown> | null {
  const detail: Record<string, unknown> = {};
  if (event.error) detail.error = event.error;
  // Whether a bounce only removed a dead push target (not its address: the log needs no more).
  if (isTargetRemoval(event)) detail.targetRemoved = true;
  if (event.variant !== undefined) detail.variant = event.variant;
  if (event.dynamicContent !== undefined) detail.dynamicContent = event.dynamicContent;
  return Object.keys(detail).length ? detail : null;
}

/** The UTC day an event is counted on. */
export function dayOf(occurredAt: string): string {
  return new Date(occurredAt).toISOString().slice(0, 10);
}
