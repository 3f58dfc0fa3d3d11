import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { DeadLetterSchema, DomainError, ErrorCode } from '@switchboard/contracts';
import { createLogger, startTelemetry, stopTelemetry } from '@switchboard/telemetry';
import { createTestEnv, SubjectRecorder, waitFor, type TestEnv } from '@switchboard/testing';
import { ConsumerRunner, EventPublisher, Outcomes, type BatchHandler, type ConsumerSpec, type Delivery } from '../src';

const Ping = z.object({ id: z.string(), n: z.number() });
type Ping = z.infer<typeof Ping>;

describe('JetStream layer (real NATS)', () => {
  const exporter = new InMemorySpanExporter();
  let env: TestEnv;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let publisher: EventPublisher;
  const runners: ConsumerRunner<unknown>[] = [];
  const logger = createLogger('test', 'silent');

  beforeAll(async () => {
    startTelemetry({ serviceName: 'messaging-test', exporter });
    env = await createTestEnv();
    nc = await connect({ servers: env.natsUrl });
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
    publisher = new EventPublisher(nc);
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  });

  afterAll(async () => {
    await nc.close();
    await env.cleanup();
    await stopTelemetry();
  });

  const subject = () => env.names.subjects.sendRequested();

  function runner<T>(
    durable: string,
    handler: BatchHandler<T>,
    extra: Omit<Partial<ConsumerSpec<T>>, 'schema'> = {},
    conn = { js, jsm },
  ) {
    const r = new ConsumerRunner<T>(
      { durable, subject: subject(), schema: Ping as never as z.ZodType<T>, ...extra },
      handler,
      { service: 'test', names: env.names, js: conn.js, jsm: conn.jsm, publisher, logger },
    );
    runners.push(r as ConsumerRunner<unknown>);
    return r;
  }

  async function purge() {
    await jsm.streams.purge(env.names.streamOf(subject()));
  }

  it('stores a duplicate publish with the same Nats-Msg-Id once', async () => {
    await purge();
    const first = await publisher.publish({ subject: subject(), payload: { id: 'a', n: 1 }, msgId: 'dup-1' });
    const second = await publisher.publish({ subject: subject(), payload: { id: 'a', n: 1 }, msgId: 'dup-1' });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    const info = await jsm.streams.info(env.names.streamOf(subject()));
    expect(info.state.messages).toBe(1);
  });

  it('pairs every ack of a burst with its own publish', async () => {
    await purge();
    const events = Array.from({ length: 300 }, (_, n) => ({
      subject: subject(),
      payload: { id: `pair-${n}`, n },
      msgId: `pair-${n % 200}`,
    }));
    const acks = await new EventPublisher(nc, 64).publishAll(events);
    expect(acks.filter((a) => !a.duplicate).map((a) => a.seq)).toEqual(acks.slice(0, 200).map((a) => a.seq));
    expect(new Set(acks.slice(0, 200).map((a) => a.seq)).size).toBe(200);
    // A duplicate is acked with the sequence of the message it repeats.
    expect(acks.slice(200).map((a) => [a.duplicate, a.seq])).toEqual(acks.slice(0, 100).map((a) => [true, a.seq]));
  });

  it('rejects a publish no stream stores, and one nobody acknowledges in time', async () => {
    await expect(
      publisher.publish({ subject: `${env.prefix}.nowhere.v1`, payload: {}, msgId: 'lost-1' }),
    ).rejects.toMatchObject({
      code: 503,
      message: `no stream stores ${env.prefix}.nowhere.v1`,
    });
    const silent = nc.subscribe(`${env.prefix}.silent.v1`); // a core subscriber: no 503, and no ack either
    const impatient = new EventPublisher(nc, 1, 300);
    await expect(
      impatient.publish({ subject: `${env.prefix}.silent.v1`, payload: {}, msgId: 'silent-1' }),
    ).rejects.toThrow(/within 300 ms/);
    silent.unsubscribe();
  });

  it('redelivers a message whose consumer died before acking, and it is handled once', async () => {
    await purge();
    const doomed = await connect({ servers: env.natsUrl });
    const handledBy: string[] = [];
    const dead = runner<Ping>(
      'crash',
      async () => {
        handledBy.push('doomed');
        await doomed.close(); // the process "dies" mid-handler: no ack ever leaves it
        await new Promise(() => undefined);
      },
      { ackWaitMs: 1_000 },
      { js: jetstream(doomed), jsm: await jetstreamManager(doomed) },
    );
    runners.pop(); // never stopped gracefully
    await dead.start();
    await publisher.publish({ subject: subject(), payload: { id: 'crash', n: 1 }, msgId: 'crash-1' });
    await waitFor(() => handledBy.length === 1);

    const survivor = runner<Ping>(
      'crash',
      async (batch) => {
        handledBy.push(...batch.map((d) => `survivor:${d.data.id}:${d.deliveryCount}`));
      },
      { ackWaitMs: 1_000 },
    );
    await survivor.start();
    await waitFor(() => handledBy.length === 2, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 1_500)); // longer than ack wait: no third delivery
    expect(handledBy).toEqual(['doomed', 'survivor:crash:2']);
  });

  it('sends a payload that fails its schema to the DLQ with the reason, and goes on', async () => {
    await purge();
    const dlq = new SubjectRecorder<z.infer<typeof DeadLetterSchema>>(nc, [env.names.subjects.dlq('test')]);
    const handled: Ping[] = [];
    await runner<Ping>('dlq', async (batch) => {
      handled.push(...batch.map((d) => d.data));
    }).start();
    await js.publish(subject(), new TextEncoder().encode(JSON.stringify({ id: 'bad', n: 'not a number' })), {
      msgID: 'bad-1',
    });
    await js.publish(subject(), new TextEncoder().encode('{not json'), { msgID: 'bad-2' });
    await publisher.publish({ subject: subject(), payload: { id: 'good', n: 2 }, msgId: 'good-1' });
    const letters = await dlq.waitForCount(2);
    await waitFor(() => handled.length === 1);
    expect(handled).toEqual([{ id: 'good', n: 2 }]);
    expect(letters[0].data.error).toMatch(/n: .*number/);
    expect(letters[0].data.deliveryCount).toBe(1);
    expect(letters[0].data.subject).toBe(subject());
    expect(letters[1].data.error).toBe('payload is not JSON');
    expect(DeadLetterSchema.parse(letters[0].data).payload).toContain('not a number');
    // Terminated for good: nothing left pending that could come back.
    await waitFor(async () => (await jsm.consumers.info(env.names.streamOf(subject()), 'dlq')).num_ack_pending === 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(dlq.messages).toHaveLength(2);
    dlq.stop();
  });

  it('redelivers after the delay a handler asked for, and dead-letters after max deliveries', async () => {
    await purge();
    const seen: { id: string; at: number; count: number }[] = [];
    const dlq = new SubjectRecorder<{ error: string }>(nc, [env.names.subjects.dlq('test')]);
    await runner<Ping>(
      'retry',
      async (batch: Delivery<Ping>[]) =>
        batch.map((d) => {
          seen.push({ id: d.data.id, at: Date.now(), count: d.deliveryCount });
          if (d.data.id === 'later' && d.deliveryCount === 1) return Outcomes.retry(400);
          if (d.data.id === 'never') return Outcomes.retry(50, 'still broken');
          return Outcomes.done();
        }),
      { maxDeliver: 3 },
    ).start();
    await publisher.publish({ subject: subject(), payload: { id: 'later', n: 1 }, msgId: 'later-1' });
    await publisher.publish({ subject: subject(), payload: { id: 'never', n: 1 }, msgId: 'never-1' });
    await waitFor(() => seen.filter((s) => s.id === 'later').length === 2);
    const [a, b] = seen.filter((s) => s.id === 'later');
    expect(b.at - a.at).toBeGreaterThanOrEqual(350);
    expect(b.count).toBe(2);
    const letters = await dlq.waitForCount(1);
    expect(letters[0].data.error).toMatch(/gave up after 3 deliveries: still broken/);
    expect(seen.filter((s) => s.id === 'never').length).toBe(3);
    dlq.stop();
  });

  it('retries a batch whose handler throws, with backoff', async () => {
    await purge();
    let calls = 0;
    const got: number[] = [];
    await runner<Ping>(
      'throws',
      async (batch) => {
        calls++;
        if (calls === 1) throw new Error('database down');
        got.push(...batch.map((d) => d.deliveryCount));
      },
      { backoffMs: [100] },
    ).start();
    await publisher.publish({ subject: subject(), payload: { id: 'x', n: 1 }, msgId: 'throw-1' });
    await waitFor(() => got.length === 1);
    expect(got).toEqual([2]);
  });

  it('dead-letters at once a message whose handler says its input is wrong, and retries one whose dependency is down', async () => {
    await purge();
    const seen: { id: string; count: number }[] = [];
    const dlq = new SubjectRecorder<{ error: string; deliveryCount: number }>(nc, [env.names.subjects.dlq('test')]);
    await runner<Ping>(
      'domain-errors',
      async (batch) => {
        const d = batch[0];
        seen.push({ id: d.data.id, count: d.deliveryCount });
        if (d.data.id === 'invalid') throw DomainError.validation({ contactId: ['Not a contact id.'] });
        if (d.data.id === 'down' && d.deliveryCount === 1)
          throw new DomainError(ErrorCode.Unavailable, 'catalog is not available.');
      },
      { backoffMs: [50], batchSize: 1 },
    ).start();
    await publisher.publish({ subject: subject(), payload: { id: 'invalid', n: 1 }, msgId: 'domain-invalid' });
    await publisher.publish({ subject: subject(), payload: { id: 'down', n: 1 }, msgId: 'domain-down' });
    const [letter] = await dlq.waitForCount(1);
    expect(letter.data.error).toMatch(/VALIDATION: contactId: Not a contact id\./);
    await waitFor(() => seen.filter((s) => s.id === 'down').length === 2);
    expect(seen.filter((s) => s.id === 'invalid')).toEqual([{ id: 'invalid', count: 1 }]);
    expect(dlq.messages).toHaveLength(1);
    dlq.stop();
  });

  it('retries, not dead-letters, every message of a batch whose handler threw a domain error for all of them', async () => {
    await purge();
    const dlq = new SubjectRecorder<{ error: string }>(nc, [env.names.subjects.dlq('test')]);
    await publisher.publish({
      subject: subject(),
      payload: {
        sends: [
          { id: 'b1', n: 1 },
          { id: 'b2', n: 2 },
        ],
      },
      msgId: 'domain-batch',
    });
    const seen: [string, number][] = [];
    await runner<Ping>(
      'domain-batch',
      async (batch) => {
        seen.push(...batch.map((d): [string, number] => [d.data.id, d.deliveryCount]));
        if (batch.length > 1) throw DomainError.validation({ contactId: ['Not a contact id.'] });
      },
      { backoffMs: [50], batchSize: 10 },
    ).start();
    await waitFor(() => seen.filter(([, count]) => count >= 2).length === 2);
    expect(seen.slice(0, 2)).toEqual([
      ['b1', 1],
      ['b2', 1],
    ]);
    expect(dlq.messages).toHaveLength(0);
    dlq.stop();
  });

  it('hands a burst to the handler in batches', async () => {
    await purge();
    const sizes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await runner<Ping>(
      'batch',
      async (batch) => {
        sizes.push(batch.length);
        await gate;
      },
      { batchSize: 50 },
    ).start();
    await publisher.publishAll(
      Array.from({ length: 120 }, (_, i) => ({
        subject: subject(),
        payload: { id: `b${i}`, n: i },
        msgId: `burst-${i}`,
      })),
    );
    await waitFor(() => sizes.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    release();
    await waitFor(() => sizes.reduce((a, b) => a + b, 0) === 120);
    expect(Math.max(...sizes.slice(1))).toBe(50);
  });

  it('drains work in flight on shutdown', async () => {
    await purge();
    const finished: string[] = [];
    const r = runner<Ping>('drain', async (batch) => {
      await new Promise((res) => setTimeout(res, 300));
      finished.push(...batch.map((d) => d.data.id));
    });
    await r.start();
    await publisher.publish({ subject: subject(), payload: { id: 'slow', n: 1 }, msgId: 'slow-1' });
    await waitFor(async () => (await jsm.consumers.info(env.names.streamOf(subject()), 'drain')).num_ack_pending === 1);
    await r.stop();
    expect(finished).toEqual(['slow']);
    const info = await jsm.consumers.info(env.names.streamOf(subject()), 'drain');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });

  it('carries one trace id across two hops', async () => {
    await purge();
    exporter.reset();
    const hop2Subject = env.names.subjects.routing('routed');
    const traceIds: string[] = [];
    const { trace } = await import('@opentelemetry/api');
    await runner<Ping>('hop1', async (batch) => {
      traceIds.push(trace.getActiveSpan()!.spanContext().traceId);
      await publisher.publish({ subject: hop2Subject, payload: batch[0].data, msgId: `hop2-${batch[0].data.id}` });
    }).start();
    const hop2 = new ConsumerRunner<Ping>(
      { durable: 'hop2', subject: hop2Subject, schema: Ping },
      async () => {
        traceIds.push(trace.getActiveSpan()!.spanContext().traceId);
      },
      { service: 'test', names: env.names, js, jsm, publisher, logger },
    );
    runners.push(hop2 as ConsumerRunner<unknown>);
    await hop2.start();
    const { withSpan } = await import('@switchboard/telemetry');
    const origin = await withSpan('origin', 'producer', {}, async (span) => {
      await publisher.publish({ subject: subject(), payload: { id: 'trace', n: 1 }, msgId: 'trace-1' });
      return span.spanContext().traceId;
    });
    await waitFor(() => traceIds.length === 2);
    expect(traceIds).toEqual([origin, origin]);
    expect(exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === origin).length).toBeGreaterThanOrEqual(
      3,
    );
  });
});
