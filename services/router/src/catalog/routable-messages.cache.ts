import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { catalogMessagesRoutable, type RoutableMessage } from '@switchboard/contracts';
import { CatalogChanges, InvalidatingCache, RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { RouterConfig } from '../router.config';

const MAX_IDS_PER_CALL = 1_000;
const MAX_ENTRIES = 100_000;

/**
 * Routable views of messages (publication, channels, content availability), fetched from catalog
 * in one call per batch and kept until catalog announces a change or the TTL runs out.
 */
@Injectable()
export class RoutableMessagesCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly cache: InvalidatingCache<RoutableMessage | null>;
  private stopListening?: () => void;

  constructor(
    private readonly rpc: RpcClient,
    private readonly changes: CatalogChanges,
    @Inject(SERVICE_CONFIG) config: RouterConfig,
  ) {
    this.cache = new InvalidatingCache({ ttlMs: config.routing.catalogTtlMs, maxEntries: MAX_ENTRIES });
  }

  onApplicationBootstrap(): void {
    this.stopListening = this.changes.listen((change) => {
      // A content item may serve many messages: drop everything rather than track the reverse index.
      if (change.kind === 'message') this.cache.delete(String(change.id));
      else this.cache.clear();
    });
  }

  onApplicationShutdown(): void {
    this.stopListening?.();
  }

  /** The routable view of each id; `null` when catalog has no such message. */
  async getMany(ids: number[]): Promise<Map<number, RoutableMessage | null>> {
    const found = await this.cache.getMany(ids.map(String), async (missing) => {
      const loaded = new Map<string, RoutableMessage | null>(missing.map((id) => [id, null]));
      for (let i = 0; i < missing.length; i += MAX_IDS_PER_CALL) {
        const { messages } = await this.rpc.call(catalogMessagesRoutable, {
          ids: missing.slice(i, i + MAX_IDS_PER_CALL).map(Number),
        });
        for (const message of messages) loaded.set(String(message.id), message);
      }
      return loaded;
    });
    return new Map([...found].map(([id, message]) => [Number(id), message]));
  }
}
