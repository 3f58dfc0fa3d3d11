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

/** How many messages each fake accepted, and per recipient (`GET /dev/outbox/tally.json`). */
export interface OutboxTally {
  accepted: Partial<Record<ProviderName, number>>;
  /** Recipients that got at least one message, per provider. */
  distinct: Partial<Record<ProviderName, number>>;
  /** Per provider, recipient → messages accepted for it; only with `recipients: true`. */
  recipients?: Partial<Record<ProviderName, Record<string, number>>>;
}

/** Everything every fake received; clearing it clears each fake's own list too. */
export class Outbox {
  private readonly received: Received<OutboxEntry>;
  private nextId = 1;
  /**
   * Counts per provider and recipient since the last clear, kept apart from the bounded list: a
   * load or chaos run of more messages than the list keeps still learns whether each recipient got
   * its message once (a few bytes per recipient instead of a whole message).
   */
  private readonly counts = new Map<ProviderName, Map<string, number>>();

  constructor(limit = 10_000) {
    this.received = new Received<OutboxEntry>(limit);
  }

  add(entry: NewOutboxEntry): OutboxEntry {
    let perRecipient = this.counts.get(entry.provider);
    if (!perRecipient) this.counts.set(entry.provider, (perRecipient = new Map()));
    perRecipient.set(entry.to, (perRecipient.get(entry.to) ?? 0) + 1);
    // Completes the entry itself: a copy would call the accessors with which the SMTP fake decodes a body only when read.
    return this.received.push(Object.assign(entry, { id: this.nextId++, receivedAt: new Date().toISOString() }));
  }

  /** Newest first, optionally for one provider. */
  list(provider?: ProviderName): OutboxEntry[] {
    return this.received.items.filter((e) => !provider || e.provider === provider).reverse();
  }

  clear(): void {
    this.counts.clear();
    this.received.clear();
  }

  tally(withRecipients = false): OutboxTally {
    const accepted: OutboxTally['accepted'] = {};
    const distinct: OutboxTally['distinct'] = {};
    const recipients: NonNullable<OutboxTally['recipients']> = {};
    for (const [provider, perRecipient] of this.counts) {
      let total = 0;
      for (const n of perRecipient.values()) total += n;
      accepted[provider] = total;
      distinct[provider] = perRecipient.size;
      if (withRecipients) recipients[provider] = Object.fromEntries(perRecipient);
    }
    return withRecipients ? { accepted, distinct, recipients } : { accepted, distinct };
  }

  onCleared(listener: () => void): void {
    this.received.onCleared(listener);
  }

  waitFor(predicate: (entry: OutboxEntry) => boolean = () => true, timeoutMs = 5_000): Promise<OutboxEntry> {
    return this.received.waitFor(predicate, timeoutMs);
  }
}
