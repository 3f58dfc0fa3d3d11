import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  catalogContentGet,
  CONTENT_TYPES,
  type CatalogChanged,
  type ContentItem,
  type ContentType,
} from '@switchboard/contracts';
import { CatalogChanges, InvalidatingCache, RpcClient } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/telemetry';

/** A missed invalidation (a NATS reconnect) heals after this long. */
export const CONTENT_TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 10_000;

/** Content items by (type, id), loaded from catalog once and dropped when catalog announces a change. */
@Injectable()
export class ContentCache implements OnModuleInit, OnModuleDestroy {
  private readonly cache = new InvalidatingCache<ContentItem>({ ttlMs: CONTENT_TTL_MS, maxEntries: MAX_ENTRIES });
  private stopListening?: () => void;

  constructor(
    private readonly rpc: RpcClient,
    private readonly changes: CatalogChanges,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.stopListening = this.changes.listen((change) => this.changed(change));
  }

  onModuleDestroy(): void {
    this.stopListening?.();
  }

  /** The item, or a DomainError from catalog (NOT_FOUND, UNAVAILABLE, TIMEOUT). */
  get(type: ContentType, id: number): Promise<ContentItem> {
    return this.cache.get(`${type}:${id}`, () => this.rpc.call(catalogContentGet, { type, id }));
  }

  changed(change: CatalogChanged): void {
    if ((CONTENT_TYPES as readonly string[]).includes(change.kind)) {
      this.invalidate(change.kind as ContentType, change.id);
    } else if (change.kind === 'template') {
      // An email may be laid out by the template that changed.
      this.cache.deleteWhere((key) => key.startsWith('email:'));
    }
  }

  invalidate(type: ContentType, id: number): void {
    this.cache.delete(`${type}:${id}`);
    this.logger.debug({ type, id }, 'content invalidated');
  }
}
