import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { CatalogKind } from '@switchboard/contracts';
import { CatalogChanges, InvalidatingCache } from '@switchboard/messaging';

/** A missed invalidation (a NATS reconnect) heals after this long. */
export const ITEM_TTL_MS = 5 * 60_000;
/** Lists also depend on the clock (`published=1`), so they live briefly. */
export const LIST_TTL_MS = 2_000;

/**
 * Catalog reads the gateway serves from memory until catalog announces a change. Writes made
 * through this instance invalidate at once.
 */
@Injectable()
export class CatalogCache implements OnModuleInit, OnModuleDestroy {
  private readonly items = new InvalidatingCache<unknown>({ ttlMs: ITEM_TTL_MS, maxEntries: 20_000 });
  private readonly lists = new InvalidatingCache<unknown>({ ttlMs: LIST_TTL_MS, maxEntries: 2_000 });
  private stopListening?: () => void;

  constructor(private readonly changes: CatalogChanges) {}

  onModuleInit(): void {
    this.stopListening = this.changes.listen((change) => this.invalidate(change.kind, change.id));
  }

  onModuleDestroy(): void {
    this.stopListening?.();
  }

  item<T>(kind: CatalogKind, id: number, load: () => Promise<T>): Promise<T> {
    return this.items.get(`${kind}:${id}`, load) as Promise<T>;
  }

  list<T>(kind: CatalogKind, query: unknown, load: () => Promise<T>): Promise<T> {
    return this.lists.get(`${kind}|${JSON.stringify(query)}`, load) as Promise<T>;
  }

  /** An item changed: drop it and every list of its kind (every item of it without an id); a category is embedded everywhere. */
  invalidate(kind: CatalogKind, id?: number): void {
    if (kind === 'category') {
      this.items.clear();
      this.lists.clear();
      return;
    }
    if (id !== undefined) this.items.delete(`${kind}:${id}`);
    else this.items.deleteWhere((key) => key.startsWith(`${kind}:`));
    this.lists.deleteWhere((key) => key.startsWith(`${kind}|`));
  }
}
