import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { NatsNames } from '@switchboard/contracts';
import { ensureStreams, deleteStreams } from '@switchboard/messaging';
import { cpuMs } from '@switchboard/testing';
import { natsServerPids } from './cpu-ledger';

export interface BaselineFigure {
  perSecond: number;
  ms: number;
  /**
   * CPU of one bare message: this process (its publisher and consumer) plus nats-server, which
   * counts whatever else the server carries meanwhile. Beside a route figure's CPU per contact, it
   * says whether a contact costs less than a bare message by work rather than by the clock.
   */
  cpuMicrosPerMessage: number;
}

/**
 * The yardstick every figure is divided by: N messages of `size` bytes through a bare JetStream
 * async publish (bounded in flight, acks awaited) → durable pull consume with explicit acks, on the
 * same NATS, in the same run.
 */
export async function measureBaseline(natsUrl: string, count: number, size = 512): Promise<BaselineFigure> {
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
  const natsPids = natsServerPids();
  const natsCpu = () => natsPids.reduce((ms, pid) => ms + cpuMs(pid), 0);
  const [cpu0, nats0] = [process.cpuUsage(), natsCpu()];
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
  const own = process.cpuUsage(cpu0);
  const cpuMicrosPerMessage = (own.user + own.system + (natsCpu() - nats0) * 1000) / count;
  await messages.close();
  await deleteStreams(jsm, names);
  await nc.close();
  return { perSecond: (count / ms) * 1000, ms, cpuMicrosPerMessage: Math.round(cpuMicrosPerMessage) };
}
