import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { batchItemId, batchMsgId, DeadLetterSchema, type DeadLetter } from '@switchboard/contracts';
import { createLogger } from '@switchboard/telemetry';
import { createTestEnv, SubjectRecorder, waitFor, type TestEnv } from '@switchboard/testing';
import {
  BatchPublisher,
  ConsumerRunner,
  EventPublisher,
  Outcomes,
  RETRY_HEADERS,
  type BatchHandler,
  type Delivery,
} from '../src';

const Item = z.object({ sendId: z.string(), n: z.number() });
type Item = z.infer<typeof Item>;

/** DESIGN §5 "Batching": a batch message's items are settled one by one. */
describe('batch envelopes in the consumer runner (real NATS)', () => {
  let env: TestEnv;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let publisher: EventPublisher;
  const runners: ConsumerRunner<unknown>[] = [];
  const logger = createLogger('test', 'silent');

  beforeAll(async () => {
    env = await createTestEnv();
    nc = await connect({ servers: env.natsUrl });
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
    publisher = new EventPublisher(nc);
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await jsm.streams.purge(env.names.streamOf(subject()));
  });

  afterAll(async () => {
    await nc.close();
    await env.cleanup();
  });

  const subject = () => env.names.subjects.sendRequested();

  async function run(durable: string, handler: BatchHandler<Item>, batchSize = 100) {
    const r = new ConsumerRunner<Item>(
      { durable, subject: subject(), schema: Item, batchSize, backoffMs: [100] },
      handler,
      { service: 'test', names: env.names, js, jsm, publisher, logger },
    );
    runners.push(r as ConsumerRunner<unknown>);
    await r.start();
    return r;
  }

  const items = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ sendId: `${prefix}-${i}`, n: i }));
  const idle = (durable: string) =>
    waitFor(async () => {
      const info = await jsm.consumers.info(env.names.streamOf(subject()), durable);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });

  it('dead-letters an invalid item and a poison item alone; the rest of the batch is handled once', async () => {
    const dlq = new SubjectRecorder<DeadLetter>(nc, [env.names.subjects.dlq('test')]);
    const handled: string[] = [];
    await run('poison', async (batch) =>
      batch.map((d) => {
        handled.push(d.data.sendId);
        return d.data.sendId === 'p-3' ? Outcomes.poison('no such contact') : Outcomes.done();
      }),
    );
    const sends: unknown[] = items('p', 6);
    sends[1] = { sendId: 'p-1', n: 'not a number' };
    await publisher.publish({ subject: subject(), msgId: 'poison-batch', payload: { sends } });

    const letters = (await dlq.waitForCount(2)).map((l) => DeadLetterSchema.parse(l.data));
    await idle('poison');
    expect(handled.sort()).toEqual(['p-0', 'p-2', 'p-3', 'p-4', 'p-5']);
    const byPayload = new Map(letters.map((l) => [JSON.parse(l.payload).sendId as string, l]));
    expect([...byPayload.keys()].sort()).toEqual(['p-1', 'p-3']);
    expect(byPayload.get('p-1')!.error).toMatch(/item 1 fails its schema: n/);
    expect(byPayload.get('p-3')!.error).toBe('no such contact');
    expect(byPayload.get('p-3')!.headers['sb-batch-index']).toBe('3');
    dlq.stop();
  });

  it('retries a failed item alone: the done items are not handled again, other consumers never see it', async () => {
    const handled: string[] = [];
    const counts: Record<string, number> = {};
    await run('retrying', async (batch) =>
      batch.map((d) => {
        handled.push(d.data.sendId);
        counts[d.data.sendId] = d.deliveryCount;
        return d.data.sendId === 'r-2' && d.deliveryCount === 1
          ? Outcomes.retry(200, 'provider timeout')
          : Outcomes.done();
      }),
    );
    const bystander: string[] = [];
    await run('bystander', async (batch) => {
      for (const d of batch) bystander.push(d.data.sendId);
    });
    const retried = new SubjectRecorder(nc, [subject()]);
    await publisher.publish({ subject: subject(), msgId: 'retry-batch', payload: { sends: items('r', 4) } });

    await waitFor(() => handled.length === 5);
    await idle('retrying');
    await idle('bystander');
    expect(handled.sort()).toEqual(['r-0', 'r-1', 'r-2', 'r-2', 'r-3']);
    expect(counts['r-2']).toBe(2); // the item's own delivery count goes on across the republish
    expect(bystander.sort()).toEqual(['r-0', 'r-1', 'r-2', 'r-3']);
    const again = retried.messages.filter((m) => m.headers[RETRY_HEADERS.for] === 'retrying');
    expect(again.map((m) => [m.data, m.batchIndex])).toEqual([[{ sendId: 'r-2', n: 2 }, 0]]);
    retried.stop();
  });

  it('naks a batch whole only when none of its items could be finished', async () => {
    const seen: Delivery<Item>[] = [];
    await run('all-fail', async (batch) => {
      seen.push(...batch);
      if (batch[0].deliveryCount === 1) throw new Error('database down');
    });
    const retried = new SubjectRecorder(nc, [subject()]);
    await publisher.publish({ subject: subject(), msgId: 'fail-batch', payload: { sends: items('f', 3) } });
    await waitFor(() => seen.length === 6);
    await idle('all-fail');
    expect(seen.map((d) => [d.data.sendId, d.deliveryCount])).toEqual([
      ['f-0', 1],
      ['f-1', 1],
      ['f-2', 1],
      ['f-0', 2],
      ['f-1', 2],
      ['f-2', 2],
    ]);
    expect(retried.messages).toHaveLength(3); // the one message: redelivered by JetStream, not republished
    retried.stop();
  });

  it('takes single and batch messages from mixed producers into the same handler batches', async () => {
    const handled: Delivery<Item>[] = [];
    await run(
      'mixed',
      async (batch) => {
        handled.push(...batch);
      },
      500,
    );
    await publisher.publishAll([
      { subject: subject(), msgId: 'single-a', payload: { sendId: 'single-a', n: 0 } },
      { subject: subject(), msgId: 'batch-1', payload: { sends: items('m', 300) } },
      { subject: subject(), msgId: 'single-b', payload: { sendId: 'single-b', n: 1 } },
      { subject: subject(), msgId: 'batch-2', payload: { sends: items('n', 700) } },
    ]);
    await waitFor(() => handled.length === 1_002);
    await idle('mixed');
    expect(new Set(handled.map((d) => d.data.sendId)).size).toBe(1_002);
    const single = handled.find((d) => d.data.sendId === 'single-a')!;
    expect([single.msgId, single.batchIndex]).toEqual(['single-a', undefined]);
    const item = handled.find((d) => d.data.sendId === 'n-5')!;
    expect([item.msgId, item.batchIndex]).toEqual(['n-5:0:0', 5]);
  });

  it('dead-letters a batch whose envelope is malformed, whole', async () => {
    const dlq = new SubjectRecorder<DeadLetter>(nc, [env.names.subjects.dlq('test')]);
    await run('envelope', async () => undefined);
    await publisher.publish({ subject: subject(), msgId: 'empty-batch', payload: { sends: [] } });
    const [letter] = await dlq.waitForCount(1);
    expect(letter.data.error).toMatch(/sends must hold 1 to 1000 items/);
    dlq.stop();
  });

  it('publishes items in batch messages that fill by count, size and time, with ids derived from the items', async () => {
    const seen = new SubjectRecorder<Record<string, unknown>>(nc, [subject()]);
    const raw: { items: number; msgId: string }[] = [];
    const sub = nc.subscribe(subject(), {
      callback: (_e, m) => {
        const data = m.json<{ sends?: unknown[] }>();
        raw.push({ items: data.sends?.length ?? 1, msgId: m.headers!.get('Nats-Msg-Id') });
      },
    });
    const batches = new BatchPublisher(publisher, env.names, { maxItems: 400 });
    const sends = (prefix: string, n: number) => items(prefix, n).map((i) => ({ ...i, attempt: 0, deferrals: 0 }));

    // By count: 1,000 items in one call → 400 + 400 + 200.
    await batches.publish(subject(), sends('count', 1_000));
    expect(raw.map((r) => r.items)).toEqual([400, 400, 200]);
    // By time: calls in one turn of the event loop share a message; a lone item goes out single, under its own id.
    raw.length = 0;
    await Promise.all([batches.publish(subject(), sends('a', 3)), batches.publish(subject(), sends('b', 2))]);
    await batches.publish(subject(), sends('lone', 1));
    expect(raw).toEqual([
      {
        items: 5,
        msgId: batchMsgId(
          'send',
          [...sends('a', 3), ...sends('b', 2)].map((i) => batchItemId('send', i)),
        ),
      },
      { items: 1, msgId: 'lone-0:0:0' },
    ]);
    // By size: 16 KiB a message.
    raw.length = 0;
    const big = sends('big', 40).map((i) => ({ ...i, pad: 'x'.repeat(1_000) }));
    await new BatchPublisher(publisher, env.names, { maxBytes: 16 * 1024 }).publish(subject(), big);
    expect(raw.map((r) => r.items)).toEqual([15, 15, 10]);
    // The same items in another order make the same id: a producer that redoes its work is deduplicated.
    expect(batchMsgId('send', ['x', 'y', 'z'])).toBe(batchMsgId('send', ['z', 'x', 'y']));
    expect(seen.messages.filter((m) => String(m.data.sendId).startsWith('count-'))).toHaveLength(1_000);
    sub.unsubscribe();
    seen.stop();
  });
});
