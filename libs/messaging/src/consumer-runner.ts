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
import { BATCH_KEYS, HEADERS, type AcceptsAsIs, type DeadLetter, type NatsNames } from '@switchboard/contracts';
import { jitter } from '@switchboard/resilience';
import { extractTraceContext, linksTo, withSpan, type Logger } from '@switchboard/telemetry';
import type { z } from 'zod';
import {
  deliveryCountOf,
  EnvelopeReader,
  itemCount,
  RETRY_HEADERS,
  type BatchItem,
  type Delivery,
  type Received,
} from './envelope';
import { carrierOf, headersToRecord, runWithCorrelationId } from './headers';
import type { Outcome } from './outcome';
import { outcomeOfError, Outcomes } from './outcome';
import { isAlreadyExists, isNotFound } from './streams';
import type { EventPublisher } from './publisher';
import { messagingMetrics } from './messaging.metrics';

export interface ConsumerSpec<T> {
  /** Durable name: one per (service, subject). */
  durable: string;
  /** Subject filter (one family: `sb.delivery.*.failed.v1` is fine). */
  subject: string;
  schema: z.ZodType<T>;
  /** On a hot path: a check of the items' common shape in front of `schema` (see hot-path-checks.ts in contracts). */
  accepts?: AcceptsAsIs<T>;
  /**
   * Items handed to one handler call (1 = a per-message handler). Messages are taken whole, so a
   * batch message of more items than this is handed over alone.
   */
  batchSize?: number;
  /** Handler calls in flight at once. */
  concurrency?: number;
  maxDeliver?: number;
  ackWaitMs?: number;
  /** Delay before redelivery after a handler error, by delivery count (last one repeats). */
  backoffMs?: number[];
}

export type { Delivery } from './envelope';

export type BatchHandler<T> = (batch: Delivery<T>[]) => Promise<Outcome[] | void>;

const DEFAULTS = {
  batchSize: 1,
  concurrency: 1,
  maxDeliver: 8,
  ackWaitMs: 30_000,
  backoffMs: [250, 1_000, 5_000, 15_000, 30_000],
};

/**
 * Runs one durable pull consumer: explicit acks, bounded redelivery, a schema check at the door
 * (a bad payload goes to the dead-letter subject at once) and micro-batching — a handler gets
 * whatever has arrived, up to `batchSize`, as soon as it is free, so batches grow under load
 * without adding latency when idle.
 */
export class ConsumerRunner<T> {
  private messages?: ConsumerMessages;
  private readonly buffer: JsMsg[] = [];
  /** Messages taken from the buffer whose handler has not finished: kept alive past ack_wait. */
  private readonly working = new Set<JsMsg>();
  private keepAlive?: NodeJS.Timeout;
  private readonly reader: EnvelopeReader<T>;
  private wake?: () => void;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private done?: Promise<void>;
  private readonly spec: Required<Omit<ConsumerSpec<T>, 'accepts'>> & Pick<ConsumerSpec<T>, 'accepts'>;

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
      /**
       * Create or update the durable consumer before binding to it (default true, for tools and
       * tests). Services pass false: their consumers are made by the migrate step, so a
       * service's NATS user needs no right to create one.
       */
      provision?: boolean;
    },
  ) {
    this.spec = { ...DEFAULTS, ...spec } as Required<ConsumerSpec<T>>;
    this.reader = new EnvelopeReader(
      deps.names,
      this.spec.subject,
      this.spec.schema,
      this.spec.durable,
      this.spec.accepts,
    );
  }

  /**
   * Messages unacknowledged at once. A batch message holds up to 1,000 items, so on the batched
   * families the bound is in messages of that size: enough to keep the handlers busy, not so many
   * that the buffered ones wait out their ack_wait.
   */
  private get maxAckPending(): number {
    const items = this.spec.batchSize * this.spec.concurrency * 4;
    return this.reader.batched ? Math.max(128, this.spec.concurrency * 32) : Math.max(1_000, items);
  }

  get durable(): string {
    return this.spec.durable;
  }

  /** The durable consumer as the migrate step creates it (`provisionConsumer`). */
  get consumerConfig(): Partial<ConsumerConfig> & { durable_name: string; filter_subject: string } {
    return {
      durable_name: this.spec.durable,
      filter_subject: this.spec.subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_deliver: this.spec.maxDeliver + 1, // one spare delivery lets us dead-letter the last failure ourselves
      ack_wait: nanos(this.spec.ackWaitMs),
      max_ack_pending: this.maxAckPending,
    };
  }

  /** Creates or updates the durable consumer: the migrate step's job, under the provisioning credentials. */
  async provision(): Promise<void> {
    const stream = this.deps.names.streamOf(this.spec.subject);
    const config = this.consumerConfig;
    try {
      await this.deps.jsm.consumers.add(stream, config);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      await this.deps.jsm.consumers.update(stream, this.spec.durable, config);
    }
  }

  /** Binds to the durable consumer (made first unless `provision: false`) and starts consuming. */
  async start(): Promise<void> {
    const stream = this.deps.names.streamOf(this.spec.subject);
    if (this.deps.provision ?? true) await this.provision();
    const consumer = await this.deps.js.consumers.get(stream, this.spec.durable).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
      throw new Error(
        `consumer ${this.spec.durable} on ${stream} does not exist: run the migrate step (npm run migrate, MIGRATE_ONLY=true, or MIGRATE_ON_BOOT=true)`,
      );
    });
    messagingMetrics.trackLag(this.deps.jsm, stream, this.spec.durable);
    this.messages = await consumer.consume({
      max_messages: Math.max(64, Math.ceil(this.maxAckPending / 2)),
    });
    // A big batch, or one waiting behind others, may take longer than ack_wait: say it is in progress.
    this.keepAlive = setInterval(
      () => {
        for (const msg of this.buffer) msg.working();
        for (const msg of this.working) msg.working();
      },
      Math.max(1_000, this.spec.ackWaitMs / 3),
    ).unref();
    this.done = Promise.all([this.pump(this.messages), this.dispatchLoop()]).then(() => undefined);
  }

  /** Stops pulling, finishes the batches in flight, and hands back what was buffered but not started. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.keepAlive);
    messagingMetrics.untrackLag(this.spec.durable);
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
      const batch = this.take();
      const task = this.process(batch).finally(() => {
        for (const { msg } of batch) this.working.delete(msg);
        this.inFlight.delete(task);
        this.wake?.();
      });
      this.inFlight.add(task);
    }
    await Promise.all(this.inFlight);
  }

  /** Whole messages from the buffer until they hold `batchSize` items (at least one message). */
  private take(): Received<T>[] {
    const taken: Received<T>[] = [];
    let items = 0;
    while (this.buffer.length > 0 && (taken.length === 0 || items < this.spec.batchSize)) {
      const msg = this.buffer.shift()!;
      const received = this.reader.read(msg);
      this.working.add(msg);
      taken.push(received);
      items += itemCount(received);
    }
    return taken;
  }

  private async process(received: Received<T>[]): Promise<void> {
    const deliveries: Delivery<T>[] = [];
    const units: Exclude<Received<T>, { kind: 'invalid' | 'foreign' | 'early' }>[] = [];
    let lastAck: JsMsg | undefined;
    for (const r of received) {
      switch (r.kind) {
        case 'invalid':
          await this.deadLetter(r.msg, r.error);
          break;
        case 'foreign':
          r.msg.ack();
          break;
        case 'early':
          r.msg.nak(r.delayMs);
          break;
        case 'single':
          units.push(r);
          deliveries.push(r.delivery);
          break;
        case 'batch':
          units.push(r);
          for (const item of r.items) if ('delivery' in item) deliveries.push(item.delivery);
          break;
      }
    }
    if (deliveries.length === 0 && units.length === 0) return;

    const outcomes = await this.handle(deliveries, units[0].msg);
    let next = 0;
    for (const unit of units) {
      let acked: boolean;
      if (unit.kind === 'single') {
        acked = await this.settleSingle(unit.msg, unit.delivery, outcomes[next++]);
      } else {
        const handled = unit.items.filter((i) => 'delivery' in i).length;
        acked = await this.settleBatch(unit, outcomes.slice(next, next + handled));
        next += handled;
      }
      if (!acked) continue;
      lastAck?.ack();
      lastAck = unit.msg;
    }
    // Acks on one connection are applied in order: confirming the last confirms the batch, so a
    // drained consumer has really acked what it finished.
    if (lastAck) await lastAck.ackAck().catch(() => lastAck.ack());
  }

  /** The handler's outcome for every delivery; a thrown error is every delivery's outcome. */
  private async handle(deliveries: Delivery<T>[], first: JsMsg): Promise<Outcome[]> {
    if (deliveries.length === 0) return [];
    let outcomes: Outcome[] | void;
    const started = performance.now();
    try {
      const lead = deliveries[0];
      outcomes = await runWithCorrelationId(lead.correlationId, () =>
        withSpan(
          `${this.spec.subject} process`,
          'consumer',
          {
            'messaging.system': 'nats',
            'messaging.destination.name': lead.subject,
            'messaging.batch.message_count': deliveries.length,
          },
          () => this.handler(deliveries),
          extractTraceContext(carrierOf(first.headers)),
          linksTo(deliveries.map((d) => d.headers)),
        ),
      );
    } catch (error) {
      // A throw answers for the whole batch: it can say one message is bad only when the batch is one
      // message; for more, each is retried (and dead-lettered alone after MAX_DELIVER if it stays bad).
      const outcomes = deliveries.map((d) =>
        deliveries.length === 1
          ? outcomeOfError(error, this.backoff(d.deliveryCount))
          : Outcomes.retry(this.backoff(d.deliveryCount), (error as Error).message),
      );
      messagingMetrics.handled(
        this.spec.durable,
        deliveries,
        outcomes[0].kind === 'poison' ? 'poison' : 'error',
        started,
      );
      this.log(deliveries[0]).warn(
        { err: error, items: deliveries.length },
        outcomes[0].kind === 'poison' ? 'handler declared the message poison' : 'handler failed',
      );
      return outcomes;
    }
    messagingMetrics.handled(this.spec.durable, deliveries, outcomes, started);
    return deliveries.map((_, i) => outcomes?.[i] ?? { kind: 'done' });
  }

  /** Acks, naks or dead-letters a one-item message; true when it is to be acked. */
  private async settleSingle(msg: JsMsg, delivery: Delivery<T>, outcome: Outcome): Promise<boolean> {
    switch (outcome.kind) {
      case 'done':
        return true;
      case 'retry':
        await this.retry(msg, delivery, outcome.delayMs, outcome.reason ?? 'handler asked to retry');
        return false;
      case 'poison':
        await this.deadLetter(msg, outcome.reason);
        return false;
    }
  }

  /**
   * Settles a batch item by item: poison and invalid items are dead-lettered alone, and when some
   * items are done the ones to retry go back to the subject as a batch of their own for this
   * consumer only, so the done ones are never handled again. Only a batch in which every item is
   * to be retried is nak'ed whole. True when the message is to be acked.
   */
  private async settleBatch(batch: Extract<Received<T>, { kind: 'batch' }>, outcomes: Outcome[]): Promise<boolean> {
    const { msg } = batch;
    const retry: { item: BatchItem<T>; delayMs: number; reason: string }[] = [];
    const poison: { item: BatchItem<T>; reason: string }[] = [];
    let next = 0;
    for (const item of batch.items) {
      if ('error' in item) {
        poison.push({ item, reason: item.error });
        continue;
      }
      const outcome = outcomes[next++];
      if (outcome.kind === 'done') continue;
      if (outcome.kind === 'poison') poison.push({ item, reason: outcome.reason });
      else if (item.delivery.deliveryCount >= this.spec.maxDeliver)
        poison.push({
          item,
          reason: `gave up after ${item.delivery.deliveryCount} deliveries: ${outcome.reason ?? 'handler asked to retry'}`,
        });
      else retry.push({ item, delayMs: outcome.delayMs, reason: outcome.reason ?? 'handler asked to retry' });
    }
    if (retry.length === batch.items.length) {
      msg.nak(Math.min(...retry.map((r) => r.delayMs)));
      return false;
    }
    for (const p of poison) {
      if (!(await this.deadLetterItem(msg, p.item, p.reason)))
        retry.push({ item: p.item, delayMs: this.backoff(msg.info.deliveryCount), reason: p.reason });
    }
    if (retry.length > 0 && !(await this.republish(batch, retry))) {
      msg.nak(this.backoff(msg.info.deliveryCount));
      return false;
    }
    return true;
  }

  /** Publishes the items to retry as one message for this durable only, due after the shortest delay. */
  private async republish(
    batch: Extract<Received<T>, { kind: 'batch' }>,
    retry: { item: BatchItem<T>; delayMs: number; reason: string }[],
  ): Promise<boolean> {
    const { msg } = batch;
    const headers = headersToRecord(msg.headers);
    try {
      await this.deps.publisher.publish({
        subject: msg.subject,
        payload: { [BATCH_KEYS[batch.family]]: retry.map((r) => r.item.raw) },
        // The same message failing the same way again republishes under the same id: stored once.
        msgId: `${msg.info.stream}:${msg.seq}:${this.spec.durable}:retry`,
        correlationId: headers[HEADERS.correlationId],
        headers: {
          [RETRY_HEADERS.for]: this.spec.durable,
          [RETRY_HEADERS.attempts]: String(msg.info.deliveryCount + Number(headers[RETRY_HEADERS.attempts] ?? 0)),
          [RETRY_HEADERS.notBefore]: String(Date.now() + Math.min(...retry.map((r) => r.delayMs))),
        },
      });
    } catch (error) {
      this.deps.logger.error({ err: error, subject: msg.subject, seq: msg.seq }, 'republishing items to retry failed');
      return false;
    }
    this.deps.logger.warn(
      { subject: msg.subject, seq: msg.seq, items: retry.length, reason: retry[0].reason },
      'items of a batch republished to retry',
    );
    return true;
  }

  private backoff(deliveryCount: number): number {
    const delays = this.spec.backoffMs;
    const base = delays[Math.min(deliveryCount - 1, delays.length - 1)];
    return jitter(base);
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
    messagingMetrics.deadLettered(this.spec.durable, msg.subject);
    this.deps.logger.warn(
      { subject: msg.subject, seq: msg.seq, deliveryCount: msg.info.deliveryCount, reason },
      'dead-lettered',
    );
    // No reason: nats-server 2.9 ignores a term that carries one and redelivers the message.
    msg.term();
  }

  /** Dead-letters one item of a batch with its reason; false when that could not be published. */
  private async deadLetterItem(msg: JsMsg, item: BatchItem<T>, reason: string): Promise<boolean> {
    const headers = headersToRecord(msg.headers);
    const letter: DeadLetter = {
      subject: msg.subject,
      stream: msg.info.stream,
      streamSequence: msg.seq,
      headers: { ...headers, 'sb-batch-index': String(item.index) },
      payload: JSON.stringify(item.raw),
      error: reason,
      deliveryCount: deliveryCountOf(msg, headers),
      service: this.deps.service,
      failedAt: new Date().toISOString(),
    };
    try {
      await this.deps.publisher.publish({
        subject: this.deps.names.subjects.dlq(this.deps.service),
        payload: letter,
        msgId: `${msg.info.stream}:${msg.seq}:${this.spec.durable}:${item.index}`,
        correlationId: headers[HEADERS.correlationId],
      });
    } catch (error) {
      this.deps.logger.error({ err: error, subject: msg.subject, seq: msg.seq }, 'dead-letter publish failed');
      return false;
    }
    messagingMetrics.deadLettered(this.spec.durable, msg.subject);
    this.deps.logger.warn(
      { subject: msg.subject, seq: msg.seq, index: item.index, reason },
      'batch item dead-lettered',
    );
    return true;
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
