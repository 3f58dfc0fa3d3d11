import type { Actor, CatalogChanged, ListQuery } from '@switchboard/contracts';

/** An item in its REST shape and key order. */
export type Item = Record<string, unknown>;

export type SaveMode = 'create' | 'put' | 'patch';

/**
 * What each kind (messages, the content types, categories) offers the generic RPC edge. Writes
 * announce their changes themselves, or push them into `changes` when given (a batch announces
 * all of them at once).
 */
export interface ItemService {
  get(id: number): Promise<Item>;
  list(query: ListQuery): Promise<{ total: number; items: Item[]; next?: number }>;
  save(
    mode: SaveMode,
    id: number | undefined,
    input: Record<string, unknown>,
    actor: Actor,
    changes?: CatalogChanged[],
  ): Promise<{ item: Item; created: boolean }>;
  /** The deleted item with `id` null. */
  delete(id: number, changes?: CatalogChanged[]): Promise<Item>;
}
