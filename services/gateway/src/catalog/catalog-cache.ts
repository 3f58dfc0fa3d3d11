import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { CatalogChangedSchema, NatsNames, type CatalogKind } from '@switchboard/contracts';
import { NATS_CONNECTION } from '@switchboard/messaging';

/** A missed invalidation (a NATS reconnect) heals after this long. */
export const ITEM_TTL_MS = 5 * 60_000;
/** Lists also depend on the clock (`published=1`), so they live briefly. */
export const LIST_TTL_MS = 2_000;
const MAX_ITEMS = 20_000;
const MAX_LISTS = 2_000;

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * Catalog reads the gateway serves from memory until catalog announces a change
 * (the catalog-changed event, heard on core NATS by every instance). Writes made through
 * this instance invalidate at once; a load that raced a change is not kept (generation check).
 */
@Injectable()
export class CatalogCache implements OnModuleInit, OnModuleDestroy {
  private readonly items = new Map<string, Entry<unknown>>();
  private readonly lists = new Map<string, Entry<unknown>>();
  private readonly loading = new Map<string, Promise<unknown>>();
  private generation = 0;
  private subscription?: Subscription;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: NatsNames,
  ) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(this.names.subjects.catalogChanged(), {
      callback: (err, msg) => {
        if (err) return;
        try {
          const change = CatalogChangedSchema.safeParse(msg.json());
          if (change.success) this.invalidate(change.data.kind, change.data.id);
        } catch {
          // not JSON: nothing to invalidate
        }
      },
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  item<T>(kind: CatalogKind, id: number, load: () => Promise<T>): Promise<T> {
    return this.through(this.items, `${kind}:${id}`, ITEM_TTL_MS, MAX_ITEMS, load);
  }

  list<T>(kind: CatalogKind, query: unknown, load: () => Promise<T>): Promise<T> {
    return this.through(this.lists, `${kind}|${JSON.stringify(query)}`, LIST_TTL_MS, MAX_LISTS, load);
  }

  /** An item changed: drop it and every list of its kind (every item of it without an id); a category is embedded everywhere. */
  invalidate(kind: CatalogKind, id?: number): void {
    this.generation++;
    if (kind === 'category') {
      this.items.clear();
      this.lists.clear();
      this.loading.clear();
      return;
    }
    if (id !== undefined) {
      this.items.delete(`${kind}:${id}`);
      this.loading.delete(`${kind}:${id}`);
    } else {
      for (const key of [...this.items.keys()]) if (key.startsWith(`${kind}:`)) this.items.delete(key);
      for (const key of [...this.loading.keys()]) if (key.startsWith(`${kind}:`)) this.loading.delete(key);
    }
    for (const key of [...this.lists.keys()]) if (key.startsWith(`${kind}|`)) this.lists.delete(key);
    for (const key of [...this.loading.keys()]) if (key.startsWith(`${kind}|`)) this.loading.delete(key);
  }

  private through<T>(
    store: Map<string, Entry<unknown>>,
    key: string,
    ttl: number,
    max: number,
    load: () => Promise<T>,
  ): Promise<T> {
    const hit = store.get(key);
    if (hit && hit.expiresAt > Date.now()) return Promise.resolve(hit.value as T);
    const pending = this.loading.get(key);
    if (pending) return pending as Promise<T>;
    const generation = this.generation;
    const promise = load();
    this.loading.set(key, promise);
    promise.then(
      (value) => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
        // Anything changed while loading: the answer may predate it, so it is not kept.
        if (generation !== this.generation) return;
        if (store.size >= max) store.delete(store.keys().next().value as string);
        store.set(key, { value, expiresAt: Date.now() + ttl });
      },
      () => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
      },
    );
    return promise;
  }
}
