import type { JetStreamManager } from '@nats-io/jetstream';
import { counter, gauge, histogram, LATENCY_BUCKETS, secondsSince } from '@switchboard/telemetry';
import type { Outcome } from './outcome';

/** `sb.delivery.email.sent.v1` → `delivery.email.sent.v1`: the prefix only multiplies series. */
export function subjectLabel(subject: string): string {
  return subject.slice(subject.indexOf('.') + 1);
}

const consumed = counter({
  name: 'switchboard_events_consumed_total',
  help: 'Items a durable consumer handled (a batch envelope counts its items), by subject (without prefix) and result: done, retry, poison (dead-lettered by the handler) or error (the handler threw).',
  labelNames: ['consumer', 'subject', 'result'],
});
const published = counter({
  name: 'switchboard_events_published_total',
  help: 'Messages published and acknowledged by their stream (a batch envelope counts once), by subject (without prefix).',
  labelNames: ['subject'],
});
const handlerSeconds = histogram({
  name: 'switchboard_handler_duration_seconds',
  help: 'Time one handler call took for its batch of messages, by durable consumer.',
  labelNames: ['consumer'],
  buckets: LATENCY_BUCKETS,
});
const batchSize = histogram({
  name: 'switchboard_handler_batch_size',
  help: 'Items handed to one handler call (batch envelopes count their items), by durable consumer.',
  labelNames: ['consumer'],
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
});
const deadLetters = counter({
  name: 'switchboard_dead_letters_total',
  help: 'Messages moved to the dead-letter subject, by consumer and original subject (without prefix).',
  labelNames: ['consumer', 'subject'],
});
const rpcSeconds = histogram({
  name: 'switchboard_rpc_duration_seconds',
  help: 'NATS request/reply latency, by side (server: handling here; client: a call made from here), operation and result (ok or the error code).',
  labelNames: ['side', 'rpc', 'result'],
  buckets: LATENCY_BUCKETS,
});

const lagSources = new Map<string, { jsm: JetStreamManager; stream: string }>();
let snapshot: { at: number; values: Promise<Map<string, { pending: number; ackPending: number }>> } | undefined;

/** One consumer-info round trip per consumer per scrape, shared by both gauges. */
function lag(): Promise<Map<string, { pending: number; ackPending: number }>> {
  if (snapshot && Date.now() - snapshot.at < 1_000) return snapshot.values;
  const values = (async () => {
    const out = new Map<string, { pending: number; ackPending: number }>();
    await Promise.all(
      [...lagSources].map(async ([durable, { jsm, stream }]) => {
        try {
          const info = await jsm.consumers.info(stream, durable);
          out.set(durable, { pending: info.num_pending, ackPending: info.num_ack_pending });
        } catch {
          // NATS away: no sample rather than a stale one (the readiness check reports it).
        }
      }),
    );
    return out;
  })();
  snapshot = { at: Date.now(), values };
  return values;
}

function lagGauge(name: string, help: string, pick: (v: { pending: number; ackPending: number }) => number) {
  return gauge({
    name,
    help,
    labelNames: ['consumer', 'stream'],
    async collect() {
      this.reset();
      const values = await lag();
      for (const [durable, { stream }] of lagSources) {
        const value = values.get(durable);
        if (value) this.set({ consumer: durable, stream }, pick(value));
      }
    },
  });
}

lagGauge(
  'switchboard_consumer_pending',
  'Messages in the stream not yet delivered to this durable consumer (its lag), read from JetStream at scrape time.',
  (v) => v.pending,
);
lagGauge(
  'switchboard_consumer_ack_pending',
  'Messages delivered to this durable consumer and not yet acknowledged.',
  (v) => v.ackPending,
);

/** Hooks the messaging layer calls; one line at each call site. */
export const messagingMetrics = {
  trackLag(jsm: JetStreamManager, stream: string, durable: string): void {
    lagSources.set(durable, { jsm, stream });
  },
  untrackLag(durable: string): void {
    lagSources.delete(durable);
  },
  handled(
    consumer: string,
    items: { subject: string }[],
    result: Outcome[] | void | 'poison' | 'error',
    started: number,
  ): void {
    handlerSeconds.observe({ consumer }, secondsSince(started));
    batchSize.observe({ consumer }, items.length);
    // One increment per run of items of one subject and result, not one per item: prom-client
    // hashes the labels at every call, and a batch of 1,000 is mostly one run.
    let subject = '';
    let kind = '';
    let run = 0;
    for (let i = 0; i < items.length; i++) {
      const itemSubject = items[i].subject;
      const itemKind = typeof result === 'string' ? result : (result?.[i]?.kind ?? 'done');
      if (run > 0 && itemSubject === subject && itemKind === kind) {
        run++;
        continue;
      }
      if (run > 0) consumed.inc({ consumer, subject: subjectLabel(subject), result: kind }, run);
      subject = itemSubject;
      kind = itemKind;
      run = 1;
    }
    if (run > 0) consumed.inc({ consumer, subject: subjectLabel(subject), result: kind }, run);
  },
  deadLettered(consumer: string, subject: string): void {
    deadLetters.inc({ consumer, subject: subjectLabel(subject) });
  },
  published(subject: string): void {
    published.inc({ subject: subjectLabel(subject) });
  },
  rpc(side: 'server' | 'client', rpc: string, result: string, started: number): void {
    rpcSeconds.observe({ side, rpc, result }, secondsSince(started));
  },
  async timedCall<T>(rpc: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await call();
      this.rpc('client', rpc, 'ok', started);
      return result;
    } catch (error) {
      this.rpc('client', rpc, (error as { code?: string }).code ?? 'error', started);
      throw error;
    }
  },
};
