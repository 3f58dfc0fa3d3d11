import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { CatalogChangedSchema, catalogMessagesRoutable, NatsNames, type RoutableMessage } from '@switchboard/contracts';
import { NATS_CONNECTION, RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import type { RouterConfig } from '../router.config';

const MAX_IDS_PER_CALL = 1_000;

/**
 * Routable views of messages (publication, channels, content availability), fetched from catalog
 * in one call per batch and kept until catalog announces a change or the TTL runs out. Every
 * instance listens on core NATS, so each one drops its own copy.
 */
@Injectable()
export class RoutableMessagesCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly entries = new Map<number, { message: RoutableMessage | null; expiresAt: number }>();
  /** Bumped by every invalidation: a reply fetched across one is not cached. */
  private generation = 0;
  private subscription?: Subscription;

  constructor(
    private readonly rpc: RpcClient,
    private readonly names: NatsNames,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: RouterConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.nc.subscribe(this.names.subjects.catalogChanged(), {
      callback: (err, msg) => {
        if (err) return;
        const change = CatalogChangedSchema.safeParse(msg.json());
        if (!change.success) {
          this.logger.warn({ subject: msg.subject }, 'ignoring a malformed catalog change');
          return;
        }
        this.generation++;
        // A content item may serve many messages: drop everything rather than track the reverse index.
        if (change.data.kind === 'message') this.entries.delete(change.data.id);
        else this.entries.clear();
      },
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  /** The routable view of each id; `null` when catalog has no such message. */
  async getMany(ids: number[]): Promise<Map<number, RoutableMessage | null>> {
    const now = Date.now();
    const found = new Map<number, RoutableMessage | null>();
    const missing: number[] = [];
    for (const id of new Set(ids)) {
      const entry = this.entries.get(id);
      if (entry && entry.expiresAt > now) found.set(id, entry.message);
      else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += MAX_IDS_PER_CALL) {
      const chunk = missing.slice(i, i + MAX_IDS_PER_CALL);
      const generation = this.generation;
      const { messages } = await this.rpc.call(catalogMessagesRoutable, { ids: chunk });
      const byId = new Map(messages.map((m) => [m.id, m]));
      const cacheable = generation === this.generation;
      for (const id of chunk) {
        const message = byId.get(id) ?? null;
        found.set(id, message);
        if (cacheable) this.entries.set(id, { message, expiresAt: now + this.config.routing.catalogTtlMs });
      }
    }
    return found;
  }
}
