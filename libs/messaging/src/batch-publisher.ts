import {
  BATCH_KEYS,
  BATCH_MAX_ITEMS,
  batchItemId,
  batchMsgId,
  isBatchFamily,
  type BatchFamily,
  type NatsNames,
} from '@switchboard/contracts';
import type { EventPublisher } from './publisher';

export interface BatchPublisherOptions {
  /** Items per message (DESIGN §5: at most 1,000). */
  maxItems?: number;
  /** Payload bytes per message, under NATS's max_payload (1 MiB by default). */
  maxBytes?: number;
  /** How long a message that is not full waits for more items (0: the rest of this turn of the event loop). */
  lingerMs?: number;
}

interface Pending {
  family: BatchFamily;
  parts: string[];
  ids: string[];
  bytes: number;
  settle: { resolve(): void; reject(error: Error): void }[];
  timer?: NodeJS.Timeout | NodeJS.Immediate;
}

/**
 * Publishes hot-path items (send requests, dispatches, routing outcomes) in batch messages of
 * DESIGN §5: items for one subject fill a message until it is full by count or size, or until
 * `lingerMs` has passed, so a busy producer sends few messages and an idle one adds no wait. The
 * message id is derived from the items; a message of one item goes out in the single shape under
 * that item's own id. A caller's promise resolves once every message holding its items is stored.
 */
export class BatchPublisher {
  private readonly maxItems: number;
  private readonly maxBytes: number;
  private readonly lingerMs: number;
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly publisher: EventPublisher,
    private readonly names: NatsNames,
    options: BatchPublisherOptions = {},
  ) {
    this.maxItems = Math.min(options.maxItems ?? BATCH_MAX_ITEMS, BATCH_MAX_ITEMS);
    this.maxBytes = options.maxBytes ?? 512 * 1024;
    this.lingerMs = options.lingerMs ?? 0;
  }

  publish(subject: string, items: object[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    const family = this.names.familyOf(subject);
    if (!family || !isBatchFamily(family)) throw new Error(`${subject} carries no batches`);
    const stored: Promise<void>[] = [];
    for (const item of items) {
      const json = JSON.stringify(item);
      let batch = this.pending.get(subject);
      if (batch && (batch.parts.length >= this.maxItems || batch.bytes + json.length + 1 > this.maxBytes)) {
        this.flush(subject);
        batch = undefined;
      }
      if (!batch) {
        batch = { family, parts: [], ids: [], bytes: 32, settle: [] };
        this.pending.set(subject, batch);
        const flush = () => this.flush(subject, batch);
        batch.timer = this.lingerMs > 0 ? setTimeout(flush, this.lingerMs) : setImmediate(flush);
        stored.push(new Promise<void>((resolve, reject) => batch!.settle.push({ resolve, reject })));
      } else if (stored.length === 0) {
        stored.push(new Promise<void>((resolve, reject) => batch!.settle.push({ resolve, reject })));
      }
      batch.parts.push(json);
      batch.ids.push(batchItemId(family, item as Record<string, unknown>));
      batch.bytes += json.length + 1;
    }
    return Promise.all(stored).then(() => undefined);
  }

  /** Sends the subject's pending message now (when `only` is given, only if that one is still pending). */
  private flush(subject: string, only?: Pending): void {
    const batch = this.pending.get(subject);
    if (!batch || (only && batch !== only)) return;
    this.pending.delete(subject);
    if (batch.timer) {
      clearTimeout(batch.timer as NodeJS.Timeout);
      clearImmediate(batch.timer as NodeJS.Immediate);
    }
    const single = batch.parts.length === 1;
    const json = single ? batch.parts[0] : `{"${BATCH_KEYS[batch.family]}":[${batch.parts.join(',')}]}`;
    const msgId = single ? batch.ids[0] : batchMsgId(batch.family, batch.ids);
    this.publisher.publishJson(subject, json, { msgId }).then(
      () => batch.settle.forEach((s) => s.resolve()),
      (error: Error) => batch.settle.forEach((s) => s.reject(error)),
    );
  }
}
