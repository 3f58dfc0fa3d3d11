import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import { outgoingHeaders } from './headers';
import { StreamAcks, type StreamAck } from './stream-acks';
import { messagingMetrics } from './messaging.metrics';

export interface PublishOptions {
  /** Idempotency key (`Nats-Msg-Id`); JetStream stores one message per key within its duplicate window. */
  msgId: string;
  correlationId?: string;
  /** Further headers, e.g. a consumer's retry marks. */
  headers?: Record<string, string>;
}

export interface OutgoingEvent<T = unknown> extends PublishOptions {
  subject: string;
  payload: T;
  schema?: z.ZodType<T>;
}

export class PublishValidationError extends Error {}

const encoder = new TextEncoder();

/**
 * JetStream publisher. Every publish waits for the stream's ack, so a caller that acks its own
 * input afterwards can never lose an event; `publishAll` keeps a bounded number of acks in flight.
 */
export class EventPublisher {
  private readonly acks: StreamAcks;

  constructor(
    nc: NatsConnection,
    private readonly maxInFlight = 256,
    ackTimeoutMs = 5_000,
  ) {
    this.acks = new StreamAcks(nc, ackTimeoutMs);
  }

  async publish<T>(event: OutgoingEvent<T>): Promise<StreamAck> {
    if (event.schema) {
      const result = event.schema.safeParse(event.payload);
      if (!result.success) {
        throw new PublishValidationError(`Refusing to publish an invalid ${event.subject}: ${result.error.message}`);
      }
    }
    const ack = await this.acks.publish(
      event.subject,
      encoder.encode(JSON.stringify(event.payload)),
      outgoingHeaders(event),
    );
    messagingMetrics.published(event.subject);
    return ack;
  }

  /** Publishes a payload already encoded (a batch envelope written from its items' JSON). */
  async publishBytes(subject: string, data: Uint8Array, options: PublishOptions): Promise<StreamAck> {
    const ack = await this.acks.publish(subject, data, outgoingHeaders(options));
    messagingMetrics.published(subject);
    return ack;
  }

  /** Publishes in order of submission with at most `maxInFlight` unacknowledged; rejects on the first failure. */
  async publishAll(events: OutgoingEvent[]): Promise<StreamAck[]> {
    const acks: StreamAck[] = new Array(events.length);
    let next = 0;
    const worker = async () => {
      while (next < events.length) {
        const index = next++;
        acks[index] = await this.publish(events[index]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.maxInFlight, events.length) }, worker));
    return acks;
  }
}
