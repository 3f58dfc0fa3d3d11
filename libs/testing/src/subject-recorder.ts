import { BATCH_KEYS } from '@switchboard/contracts';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { waitFor } from './waiting';

export interface Recorded<T> {
  subject: string;
  data: T;
  headers: Record<string, string>;
  /** Its position in a batch message (DESIGN §5 "Batching"), recorded one item at a time. */
  batchIndex?: number;
}

const BATCH_ENVELOPE_KEYS = Object.values(BATCH_KEYS) as string[];

/** The items of a batch envelope (`{"sends": [...]}` and the like), or undefined for any other payload. */
export function batchItemsOf(payload: unknown): unknown[] | undefined {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const keys = Object.keys(payload);
  if (keys.length !== 1 || !BATCH_ENVELOPE_KEYS.includes(keys[0])) return undefined;
  const items = (payload as Record<string, unknown>)[keys[0]];
  return Array.isArray(items) ? items : undefined;
}

/** Records what is published on subjects (core NATS sees JetStream publishes too), a batch item by item. */
export class SubjectRecorder<T = Record<string, unknown>> {
  readonly messages: Recorded<T>[] = [];
  private readonly subs: Subscription[];

  constructor(nc: NatsConnection, subjects: string[]) {
    this.subs = subjects.map((subject) =>
      nc.subscribe(subject, {
        callback: (_err, msg) => {
          const headers: Record<string, string> = {};
          for (const key of msg.headers?.keys() ?? []) headers[key] = msg.headers!.get(key);
          const data = msg.json<unknown>();
          const items = batchItemsOf(data);
          if (!items) this.messages.push({ subject: msg.subject, data: data as T, headers });
          else
            items.forEach((item, batchIndex) =>
              this.messages.push({ subject: msg.subject, data: item as T, headers, batchIndex }),
            );
        },
      }),
    );
  }

  bySubject(subject: string): Recorded<T>[] {
    return this.messages.filter((m) => m.subject === subject);
  }

  async waitForCount(
    count: number,
    filter: (m: Recorded<T>) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<Recorded<T>[]> {
    return waitFor(
      () => {
        const found = this.messages.filter(filter);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs, message: `expected ${count} messages` },
    );
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe();
  }
}
