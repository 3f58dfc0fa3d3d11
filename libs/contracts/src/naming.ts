import type { Channel } from './channels';

/** The JetStream streams of DESIGN §5, keyed by the subject family (the token after the prefix). */
export const STREAM_FAMILIES = [
  'campaign',
  'send',
  'dispatch',
  'routing',
  'delivery',
  'contact',
  'catalog',
  'dlq',
  'registry',
  'feedback',
] as const;
export type StreamFamily = (typeof STREAM_FAMILIES)[number];

export const ROUTING_OUTCOMES = ['routed', 'deferred', 'failed'] as const;
export type RoutingOutcomeKind = (typeof ROUTING_OUTCOMES)[number];

export const DELIVERY_EVENTS = [
  'sent',
  'delivered',
  'failed',
  'bounced',
  'opened',
  'clicked',
  'unsubscribed',
  'complained',
] as const;
export type DeliveryEventKind = (typeof DELIVERY_EVENTS)[number];

const PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export interface StreamSpec {
  name: string;
  family: StreamFamily;
  subjects: string[];
}

/**
 * Subject and stream names for one environment. Names are persistent state: every subject is
 * versioned and past-tense, and nothing outside this module spells one.
 */
export class NatsNames {
  constructor(readonly prefix: string = 'sb') {
    if (!PREFIX_PATTERN.test(prefix)) {
      throw new Error(`SB_PREFIX must match ${PREFIX_PATTERN} (got "${prefix}")`);
    }
  }

  readonly subjects = {
    campaignAction: () => `${this.prefix}.campaign.action.v1`,
    shipmentCanceled: () => `${this.prefix}.campaign.shipment.canceled.v1`,
    sendRequested: () => `${this.prefix}.send.requested.v1`,
    dispatch: (channel: Channel | '*') => `${this.prefix}.dispatch.${channel}.v1`,
    routing: (outcome: RoutingOutcomeKind | '*') => `${this.prefix}.routing.${outcome}.v1`,
    delivery: (channel: Channel | '*', event: DeliveryEventKind | '*') =>
      `${this.prefix}.delivery.${channel}.${event}.v1`,
    contactUpserted: () => `${this.prefix}.contact.upserted.v1`,
    contactErased: () => `${this.prefix}.contact.erased.v1`,
    catalogChanged: () => `${this.prefix}.catalog.message.changed.v1`,
    channelHeartbeat: () => `${this.prefix}.channel.heartbeat.v1`,
    /** Core NATS, no stream: live nudges for the inbox's server-sent events (DESIGN §7.7). */
    inboxChanged: () => `${this.prefix}.inbox.changed.v1`,
    channelAnnounced: (channel: Channel | '*') => `${this.prefix}.registry.channel.${channel}.v1`,
    dlq: (service: string) => `${this.prefix}.dlq.${service}.v1`,
    /** Provider feedback not yet matched to its dispatch: webhooks, SMPP receipts, DSNs → the channel's sender. */
    feedbackReported: (channel: Channel | '*') => `${this.prefix}.feedback.${channel}.reported.v1`,
    rpc: (service: string, operation: string) => `${this.prefix}.rpc.${service}.${operation}`,
  };

  streamName(family: StreamFamily): string {
    return `${this.prefix.toUpperCase().replace(/-/g, '_')}_${family.toUpperCase()}`;
  }

  /** Every subject of a family: what its stream stores. */
  familyFilter(family: StreamFamily): string {
    return `${this.prefix}.${family}.>`;
  }

  streams(): StreamSpec[] {
    return STREAM_FAMILIES.map((family) => ({
      name: this.streamName(family),
      family,
      subjects: [this.familyFilter(family)],
    }));
  }

  /** The stream that stores a subject (or a filter over one family). */
  streamOf(subject: string): string {
    const [prefix, family] = subject.split('.');
    if (prefix !== this.prefix || !(STREAM_FAMILIES as readonly string[]).includes(family)) {
      throw new Error(`Subject ${subject} belongs to no stream under prefix ${this.prefix}`);
    }
    return this.streamName(family as StreamFamily);
  }

  /** The family of a subject (or filter) under this prefix: the token after the prefix. */
  familyOf(subject: string): StreamFamily | undefined {
    const [prefix, family] = subject.split('.');
    if (prefix !== this.prefix || !(STREAM_FAMILIES as readonly string[]).includes(family)) return undefined;
    return family as StreamFamily;
  }

  /** Parses `<prefix>.delivery.<channel>.<event>.v1` back into its parts. */
  parseDelivery(subject: string): { channel: string; event: string } | undefined {
    const parts = subject.split('.');
    if (parts.length !== 5 || parts[0] !== this.prefix || parts[1] !== 'delivery') return undefined;
    return { channel: parts[2], event: parts[3] };
  }

  parseRouting(subject: string): RoutingOutcomeKind | undefined {
    const parts = subject.split('.');
    if (parts.length !== 4 || parts[0] !== this.prefix || parts[1] !== 'routing') return undefined;
    return (ROUTING_OUTCOMES as readonly string[]).includes(parts[2]) ? (parts[2] as RoutingOutcomeKind) : undefined;
  }
}

export const HEADERS = {
  msgId: 'Nats-Msg-Id',
  correlationId: 'x-correlation-id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;
