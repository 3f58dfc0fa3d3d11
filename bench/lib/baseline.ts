import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { NatsNames } from '@switchboard/contracts';
import { ensureStreams, deleteStreams } from '@switchboard/messaging';

/**
 * The yardstick every figure is divided by: N messages of `size` bytes through a bare JetStream
 * async publish (bounded in flight, acks awaited) → durable pull consume with explicit acks, on the
 * same NATS, in the same run.
 */
export async function measureBaseline(
  natsUrl: string,
  count: number,
  size = 512,
): Promise<{ perSecond: number; ms: number }> {
  const names = new NatsNames(`bb${Date.now().toString(36)}`);
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  await ensureStreams(jsm, names);
  const subject = names.subjects.sendRequested();
  const stream = names.streamOf(subject);
  await jsm.consumers.add(stream, {
    durable_name: 'baseline',
    ack_policy: AckPolicy.Explicit,
    filter_subject: subject,
    max_ack_pending: 20_000,
  });
  const payload = new TextEncoder().encode(JSON.stringify({ blob: 'x'.repeat(Math.max(0, size - 12)) }));
  const started = performance.now();
  const consumer = await js.consumers.get(stream, 'baseline');
  const messages = await consumer.consume({ max_messages: 1_000 });
  const consumed = (async () => {
    let n = 0;
    for await (const m of messages) {
      m.ack();
      if (++n === count) break;
    }
  })();
  // Bare: no schema, no trace or correlation headers; only the idempotency key every event carries.
  let next = 0;
  await Promise.all(
    Array.from({ length: 512 }, async () => {
      while (next < count) await js.publish(subject, payload, { msgID: `b${next++}` });
    }),
  );
  await consumed;
  const ms = performance.now() - started;
  await messages.close();
  await deleteStreams(jsm, names);
  await nc.close();
  return { perSecond: (count / ms) * 1000, ms };
}
