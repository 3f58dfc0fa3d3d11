import { Inject, Injectable } from '@nestjs/common';
import {
  catalogItemBatch,
  catalogItemDelete,
  catalogItemGet,
  catalogItemList,
  catalogItemSave,
  type Actor,
  type CatalogKind,
  type ListQuery,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { Principal } from '../auth/public.decorator';
import type { GatewayConfig } from '../gateway.config';
import { CatalogCache } from './catalog-cache';

export type Item = Record<string, unknown>;

export function actorOf(principal: Principal | undefined): Actor {
  if (!principal) return { id: null, name: null };
  return { id: principal.kind === 'user' ? principal.id : null, name: principal.name };
}

/**
 * The gateway's side of sb.rpc.catalog.items.*: at most one RPC per request (a list past 800 kB
 * takes a few), reads served from CatalogCache until catalog announces a change.
 */
@Injectable()
export class CatalogClient {
  constructor(
    private readonly rpc: RpcClient,
    private readonly cache: CatalogCache,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** After a write through this instance, before its change event comes back. */
  private written(kind: CatalogKind, id?: number): void {
    this.cache.invalidate(kind, id);
    // A content item's name shows in messages (`channelName`).
    if (kind !== 'message' && kind !== 'category') this.cache.invalidate('message');
  }

  private get options() {
    return { timeoutMs: this.config.rpcTimeoutMs };
  }

  async get(kind: CatalogKind, id: number): Promise<Item> {
    return (await this.rpc.call(catalogItemGet, { kind, id }, this.options)).item;
  }

  /** `{"<key>": item}` serialized, from the cache when it holds it. */
  getReply(kind: CatalogKind, id: number, key: string): Promise<string> {
    return this.cache.item(kind, id, async () => JSON.stringify({ [key]: await this.get(kind, id) }));
  }

  /** `{"total": n, "<key>": [...]}` serialized, from the cache when it holds it. */
  listReply(kind: CatalogKind, query: ListQuery, key: string): Promise<string> {
    return this.cache.list(kind, query, async () => {
      const { total, items } = await this.list(kind, query);
      return JSON.stringify({ total, [key]: items });
    });
  }

  async list(kind: CatalogKind, query: ListQuery): Promise<{ total: number; items: Item[] }> {
    const first = await this.rpc.call(catalogItemList, { kind, query }, this.options);
    const items = [...first.items];
    let next = first.next;
    const limit = query.limit ?? 30;
    while (next !== undefined && (limit === 0 || items.length < limit)) {
      const rest = limit === 0 ? 0 : limit - items.length;
      const page = await this.rpc.call(
        catalogItemList,
        { kind, query: { ...query, start: next, limit: rest } },
        this.options,
      );
      items.push(...page.items);
      next = page.items.length ? page.next : undefined;
    }
    return { total: first.total, items };
  }

  async save(
    kind: CatalogKind,
    mode: 'create' | 'put' | 'patch',
    id: number | undefined,
    input: Record<string, unknown>,
    principal: Principal | undefined,
  ) {
    const saved = await this.rpc.call(
      catalogItemSave,
      { kind, mode, id, input, actor: actorOf(principal) },
      this.options,
    );
    this.written(kind, saved.item.id as number);
    return saved;
  }

  async delete(kind: CatalogKind, id: number): Promise<Item> {
    const { item } = await this.rpc.call(catalogItemDelete, { kind, id }, this.options);
    this.written(kind, id);
    return item;
  }

  async batch(
    kind: CatalogKind,
    op: 'create' | 'put' | 'patch' | 'delete',
    items: unknown[],
    principal: Principal | undefined,
  ) {
    try {
      return await this.rpc.call(
        catalogItemBatch,
        { kind, op, items, actor: actorOf(principal) },
        { timeoutMs: Math.max(this.config.rpcTimeoutMs, 30_000) },
      );
    } finally {
      this.written(kind);
    }
  }
}
