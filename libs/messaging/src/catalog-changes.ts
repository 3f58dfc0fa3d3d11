import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { CatalogChangedSchema, NatsNames, type CatalogChanged } from '@switchboard/contracts';
import { NATS_CONNECTION } from './messaging.module';

type Listener = (change: CatalogChanged) => void;

/**
 * Catalog's change announcements, heard on core NATS by every instance (not a queue consumer:
 * each instance drops its own cached copies). One subscription per process; caches register a
 * listener.
 */
@Injectable()
export class CatalogChanges implements OnModuleInit, OnModuleDestroy {
  private readonly listeners = new Set<Listener>();
  private subscription?: Subscription;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: NatsNames,
  ) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(this.names.subjects.catalogChanged(), {
      callback: (err, msg) => {
        if (err) return;
        let body: unknown;
        try {
          body = msg.json();
        } catch {
          return; // not JSON: nothing to invalidate
        }
        const change = CatalogChangedSchema.safeParse(body);
        if (change.success) for (const listener of this.listeners) listener(change.data);
      },
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** Calls `listener` for every change from now on; returns the way to stop. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
