import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  CatalogChangedSchema,
  catalogContentGet,
  CONTENT_TYPES,
  NatsNames,
  type CatalogChanged,
  type ContentItem,
  type ContentType,
} from '@switchboard/contracts';
import { NATS_CONNECTION, RpcClient } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/telemetry';

/** A missed invalidation (a NATS reconnect) heals after this long. */
export const CONTENT_TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 10_000;

/**
 * Content items by (type, id), loaded from catalog once and dropped when catalog announces a
 * change. Every instance listens on core NATS (not a durable queue consumer), so each one drops
 * its own copy.
 */
@Injectable()
export class ContentCache implements OnModuleInit, OnModuleDestroy {
  private readonly entries = new Map<string, { item: ContentItem; expiresAt: number }>();
  private readonly loading = new Map<string, Promise<ContentItem>>();
  private subscription?: Subscription;

  constructor(
    private readonly rpc: RpcClient,
    private readonly names: NatsNames,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(this.names.subjects.catalogChanged(), {
      callback: (err, msg) => {
        if (err) return;
        const parsed = CatalogChangedSchema.safeParse(msg.json());
        if (parsed.success) this.changed(parsed.data);
      },
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** The item, or a DomainError from catalog (NOT_FOUND, UNAVAILABLE, TIMEOUT). */
  get(type: ContentType, id: number): Promise<ContentItem> {
    const key = `${type}:${id}`;
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > Date.now()) return Promise.resolve(hit.item);
    const pending = this.loading.get(key);
    if (pending) return pending;
    const load = this.rpc.call(catalogContentGet, { type, id });
    this.loading.set(key, load);
    load.then(
      (item) => {
        // Invalidated while loading: the answer may predate the change, so it is not kept.
        if (this.loading.get(key) !== load) return;
        this.loading.delete(key);
        if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
        this.entries.set(key, { item, expiresAt: Date.now() + CONTENT_TTL_MS });
      },
      () => {
        if (this.loading.get(key) === load) this.loading.delete(key);
      },
    );
    return load;
  }

  changed(change: CatalogChanged): void {
    if ((CONTENT_TYPES as readonly string[]).includes(change.kind))
      this.invalidate(change.kind as ContentType, change.id);
    // An email may be laid out by the template that changed.
    else if (change.kind === 'template')
      for (const key of [...this.entries.keys()]) if (key.startsWith('email:')) this.entries.delete(key);
  }

  invalidate(type: ContentType, id: number): void {
    const key = `${type}:${id}`;
    this.entries.delete(key);
    this.loading.delete(key);
    this.logger.debug({ type, id }, 'content invalidated');
  }
}
