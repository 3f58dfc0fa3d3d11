import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { HEADERS, type DeadLetter, type NatsNames } from '@switchboard/contracts';
import { extractTraceContext, withSpan, type Logger } from '@switchboard/telemetry';
import type { z } from 'zod';
import { carrierOf, headersToRecord, newCorrelationId, runWithCorrelationId } from './headers';
import type { Outcome } from './outcome';
import { PoisonMessageError } from './outcome';
import type { EventPublisher } from './publisher';

export interface ConsumerSpec<T> {
  /** Durable name: one per (service, subject). */
  durable: string;
  /** Subject filter (one family: `sb.delivery.*.failed.v1` is fine). */
  subject: string;
  schema: z.ZodType<T>;
  /** Messages handed to one handler call (1 = a per-message handler). */
  batchSize?: number;
  /** Handler calls in flight at once. */
  concurrency?: number;
  maxDeliver?: number;
  ackWaitMs?: number;
  /** Delay before redelivery after a handler error, by delivery count (last one repeats). */
  backoffMs?: number[];
}

export interface Delivery<T> {
  data: T;
  subject: string;
  headers: Record<string, string>;
  msgId: string | undefined;
  correlationId: string;
  deliveryCount: number;
  streamSequence: number;
}

export type BatchHandler<T> = (batch: Delivery<T>[]) => Promise<Outcome[] | void>;

const DEFAULTS = {
  batchSize: 1,
  concurrency: 1,
  maxDeliver: 8,
  ackWaitMs: 30_000,
  backoffMs: [250, 1_000, 5_000, 15_000, 30_000],
};

type Parsed<T> = { msg: JsMsg; delivery: Delivery<T> };

/**
 * Runs one durable pull consumer: explicit acks, bounded redelivery, a schema check at the door
 * (a bad payload goes to the dead-letter subject at once) and micro-batching — a handler gets
 * whatever has arrived, up to `batchSize`, as soon as it is free, so batches grow under load
 * without adding latency when idle.
 */
export class ConsumerRunner<T> {
  private messages?: ConsumerMessages;
  private readonly buffer: JsMsg[] = [];
  private wake?: () => void;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private done?: Promise<void>;
  private readonly spec: Required<ConsumerSpec<T>>;

  constructor(
    spec: ConsumerSpec<T>,
    private readonly handler: BatchHandler<T>,
    private readonly deps: {
      service: string;
      names: NatsNames;
      js: JetStreamClient;
      jsm: JetStreamManager;
      publisher: EventPublisher;
      logger: Logger;
    },
  ) {
    this.spec = { ...DEFAULTS, ...spec } as Required<ConsumerSpec<T>>;
  }

  get durable(): string {
    return this.spec.durable;
  }

  async start(): Promise<void> {
    const stream = this.deps.names.streamOf(this.spec.subject);
    const config: Partial<ConsumerConfig> = {
      durable_name: this.spec.durable,
      filter_subject: this.spec.subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_deliver: this.spec.maxDeliver + 1, // one spare delivery lets us dead-letter the last failure ourselves
      ack_wait: nanos(this.spec.ackWaitMs),
      max_ack_pending: Math.max(1_000, this.spec.batchSize * this.spec.concurrency * 4),
    };
    try {
      await this.deps.jsm.consumers.add(stream, config);
    } catch (error) {
      if (!/already in use|exists/i.test((error as Error).message)) throw error;
      await this.deps.jsm.consumers.update(stream, this.spec.durable, config);
    }
    const consumer = await this.deps.js.consumers.get(stream, this.spec.durable);
    this.messages = await consumer.consume({
      max_messages: Math.max(64, this.spec.batchSize * this.spec.concurrency * 2),
    });
    this.done = Promise.all([this.pump(this.messages), this.dispatchLoop()]).then(() => undefined);
  }

  /** Stops pulling, finishes the batches in flight, and hands back what was buffered but not started. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.messages?.close().catch(() => undefined);
    this.wake?.();
    await this.done;
    for (const msg of this.buffer.splice(0)) msg.nak();
  }

  private async pump(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      this.buffer.push(msg);
      this.wake?.();
      if (this.stopped) break;
    }
  }

  private async dispatchLoop(): Promise<void> {
    while (!this.stopped) {
      if (this.buffer.length === 0 || this.inFlight.size >= this.spec.concurrency) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      const batch = this.buffer.splice(0, this.spec.batchSize);
      const task = this.process(batch).finally(() => {
        this.inFlight.delete(task);
        this.wake?.();
      });
      this.inFlight.add(task);
    }
    await Promise.all(this.inFlight);
  }

  private async process(msgs: JsMsg[]): Promise<void> {
    const valid: Parsed<T>[] = [];
    for (const msg of msgs) {
      const parsed = this.parse(msg);
      if ('error' in parsed) await this.deadLetter(msg, parsed.error);
      else valid.push({ msg, delivery: parsed.delivery });
    }
    if (valid.length === 0) return;

    let outcomes: Outcome[] | void;
    try {
      const first = valid[0].delivery;
      outcomes = await runWithCorrelationId(first.correlationId, () =>
        withSpan(
          `${this.spec.subject} process`,
          'consumer',
          {
            'messaging.system': 'nats',
            'messaging.destination.name': first.subject,
            'messaging.batch.message_count': valid.length,
          },
          () => this.handler(valid.map((v) => v.delivery)),
          extractTraceContext(carrierOf(valid[0].msg.headers)),
        ),
      );
    } catch (error) {
      const poison = error instanceof PoisonMessageError;
      for (const { msg, delivery } of valid) {
        this.log(delivery).warn({ err: error }, poison ? 'handler declared the message poison' : 'handler failed');
        if (poison) await this.deadLetter(msg, (error as Error).message);
        else await this.retry(msg, delivery, this.backoff(delivery.deliveryCount), (error as Error).message);
      }
      return;
    }
    let lastAck: JsMsg | undefined;
    for (let i = 0; i < valid.length; i++) {
      const { msg, delivery } = valid[i];
      const outcome = outcomes?.[i] ?? { kind: 'done' };
      switch (outcome.kind) {
        case 'done':
          lastAck?.ack();
          lastAck = msg;
          break;
        case 'retry':
          await this.retry(msg, delivery, outcome.delayMs, outcome.reason ?? 'handler asked to retry');
          break;
        case 'poison':
          await this.deadLetter(msg, outcome.reason);
          break;
      }
    }
    // Acks on one connection are applied in order: confirming the last confirms the batch, so a
    // drained consumer has really acked what it finished.
    if (lastAck) await lastAck.ackAck().catch(() => lastAck.ack());
  }

  private parse(msg: JsMsg): { delivery: Delivery<T> } | { error: string } {
    const headers = headersToRecord(msg.headers);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(msg.data));
    } catch {
      return { error: 'payload is not JSON' };
    }
    const result = this.spec.schema.safeParse(json);
    if (!result.success) {
      return {
        error: `payload fails its schema: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      };
    }
    return {
      delivery: {
        data: result.data,
        subject: msg.subject,
        headers,
        msgId: headers[HEADERS.msgId],
        correlationId: headers[HEADERS.correlationId] || newCorrelationId(),
        deliveryCount: msg.info.deliveryCount,
        streamSequence: msg.seq,
      },
    };
  }

  private backoff(deliveryCount: number): number {
    const delays = this.spec.backoffMs;
    const base = delays[Math.min(deliveryCount - 1, delays.length - 1)];
    return Math.round(base * (0.5 + Math.random() / 2));
  }

  private async retry(msg: JsMsg, delivery: Delivery<T>, delayMs: number, reason: string): Promise<void> {
    if (delivery.deliveryCount >= this.spec.maxDeliver) {
      await this.deadLetter(msg, `gave up after ${delivery.deliveryCount} deliveries: ${reason}`);
      return;
    }
    msg.nak(delayMs);
  }

  private async deadLetter(msg: JsMsg, reason: string): Promise<void> {
    const letter: DeadLetter = {
      subject: msg.subject,
      stream: msg.info.stream,
      streamSequence: msg.seq,
      headers: headersToRecord(msg.headers),
      payload: new TextDecoder().decode(msg.data),
      error: reason,
      deliveryCount: msg.info.deliveryCount,
      service: this.deps.service,
      failedAt: new Date().toISOString(),
    };
    try {
      await this.deps.publisher.publish({
        subject: this.deps.names.subjects.dlq(this.deps.service),
        payload: letter,
        msgId: `${msg.info.stream}:${msg.seq}:${this.spec.durable}`,
        correlationId: letter.headers[HEADERS.correlationId],
      });
    } catch (error) {
      // Not dead-lettered means not finished: let JetStream deliver it again.
      this.deps.logger.error({ err: error, subject: msg.subject, seq: msg.seq }, 'dead-letter publish failed');
      msg.nak(this.backoff(msg.info.deliveryCount));
      return;
    }
    this.deps.logger.warn(
      { subject: msg.subject, seq: msg.seq, deliveryCount: msg.info.deliveryCount, reason },
      'dead-lettered',
    );
    // No reason: nats-server 2.9 ignores a term that carries one and redelivers the message.
    msg.term();
  }

  private log(delivery: Delivery<T>): Logger {
    return this.deps.logger.child({
      subject: delivery.subject,
      seq: delivery.streamSequence,
      deliveryCount: delivery.deliveryCount,
      correlationId: delivery.correlationId,
    });
  }
}
