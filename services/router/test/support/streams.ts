import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { HEADERS, type NatsNames } from '@switchboard/contracts';
import { batchItemsOf } from '@switchboard/testing';

export interface Stored<T> {
  subject: string;
  data: T;
  /** The message's id: a batch's for each of its items. */
  msgId: string | undefined;
  batched?: boolean;
}

/**
 * Every message (a batch item by item) a stream holds on `filter` (what consumers will get: JetStream has already
 * dropped the duplicates a SubjectRecorder still sees on core NATS).
 */
export async function readStream<T = Record<string, unknown>>(
  nc: NatsConnection,
  names: NatsNames,
  filter: string,
): Promise<Stored<T>[]> {
  const jsm = await jetstreamManager(nc);
  const stream = names.streamOf(filter);
  const info = await jsm.streams.info(stream, { subjects_filter: filter });
  const total = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
  if (total === 0) return [];
  const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: filter });
  const out: Stored<T>[] = [];
  let read = 0;
  try {
    const messages = await consumer.fetch({ max_messages: total, expires: 5_000 });
    for await (const m of messages) {
      const data = m.json<unknown>();
      const items = batchItemsOf(data);
      const msgId = m.headers?.get(HEADERS.msgId);
      if (!items) out.push({ subject: m.subject, data: data as T, msgId });
      else for (const item of items) out.push({ subject: m.subject, data: item as T, msgId, batched: true });
      if (++read >= total) break;
    }
  } finally {
    // An ordered consumer left behind would count as busy in waitUntilConsumersIdle.
    await consumer.delete().catch(() => undefined);
  }
  return out;
}
