import { EventEmitter } from 'node:events';
import type { ProviderName } from './control';

/** A bounded, append-only list of what a fake received, that a test can wait on. */
export class Received<T> {
  /** Oldest first. */
  readonly items: T[] = [];
  private readonly events = new EventEmitter();

  constructor(private readonly limit = 10_000) {
    this.events.setMaxListeners(0);
  }

  push(item: T): T {
    this.items.push(item);
    if (this.items.length > this.limit) this.items.shift();
    this.events.emit('item', item);
    return item;
  }

  clear(): void {
    this.items.length = 0;
    this.events.emit('cleared');
  }

  onCleared(listener: () => void): void {
    this.events.on('cleared', listener);
  }

  /** Resolves with the first item (already stored or arriving later) that matches; rejects after `timeoutMs`. */
  waitFor(predicate: (item: T) => boolean = () => true, timeoutMs = 5_000): Promise<T> {
    const found = this.items.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onItem = (item: T): void => {
        if (!predicate(item)) return;
        clearTimeout(timer);
        this.events.off('item', onItem);
        resolve(item);
      };
      const timer = setTimeout(() => {
        this.events.off('item', onItem);
        reject(new Error(`no matching item received within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on('item', onItem);
    });
  }
}

/** One thing a fake accepted, in a provider-neutral shape (the provider-specific record is in `details`). */
export interface OutboxEntry {
  id: number;
  provider: ProviderName;
  receivedAt: string;
  /** Recipient: email addresses, phone number, device token, push endpoint, or the tweet's @mentions. */
  to: string;
  from?: string;
  /** Email subject or notification title. */
  subject?: string;
  /** Text content: email text part, SMS body, notification body, tweet text. */
  body: string;
  details: Record<string, unknown>;
}

export type NewOutboxEntry = Omit<OutboxEntry, 'id' | 'receivedAt'>;

/** Everything every fake received; clearing it clears each fake's own list too. */
export class Outbox {
  private readonly received: Received<OutboxEntry>;
  private nextId = 1;

  constructor(limit = 10_000) {
    this.received = new Received<OutboxEntry>(limit);
  }

  add(entry: NewOutboxEntry): OutboxEntry {
    // Completes the entry itself: a copy would call the accessors with which the SMTP fake decodes a body only when read.
    return this.received.push(Object.assign(entry, { id: this.nextId++, receivedAt: new Date().toISOString() }));
  }

  /** Newest first, optionally for one provider. */
  list(provider?: ProviderName): OutboxEntry[] {
    return this.received.items.filter((e) => !provider || e.provider === provider).reverse();
  }

  clear(): void {
    this.received.clear();
  }

  onCleared(listener: () => void): void {
    this.received.onCleared(listener);
  }

  waitFor(predicate: (entry: OutboxEntry) => boolean = () => true, timeoutMs = 5_000): Promise<OutboxEntry> {
    return this.received.waitFor(predicate, timeoutMs);
  }
}
