import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { CHANNEL_GONE_AFTER_MS, NatsNames, type Channel } from '@switchboard/contracts';
import { ChannelDirectory, ChannelHeartbeats, NATS_CONNECTION } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { GatewayConfig } from '../gateway.config';

/** One row of `GET /api/channels`: whether the channel is available (deployed), and whether a sender is up now. */
export interface ChannelStatus {
  channel: Channel;
  available: boolean;
  up: boolean;
  provider: string | null;
  status: 'up' | 'degraded' | 'down' | null;
  instances: number;
  /** When a sender last announced itself on the channel registry. */
  lastAnnouncedAt: string | null;
  /** Why the channel is not available: `never announced`, `removed` or `silent`; null while available. */
  unavailableReason: string | null;
}

/**
 * What `GET /api/channels` shows (DESIGN §2): availability from the durable channel registry, and
 * the live instances this gateway instance has heard from. A channel whose sender is restarting
 * is available but not up.
 */
@Injectable()
export class ChannelRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly heartbeats: ChannelHeartbeats;
  private readonly directory: ChannelDirectory;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    names: NatsNames,
    @Inject(SERVICE_CONFIG) config: GatewayConfig,
  ) {
    this.heartbeats = new ChannelHeartbeats(nc, names);
    this.directory = new ChannelDirectory(nc, names, config.channelGoneAfterMs ?? CHANNEL_GONE_AFTER_MS);
  }

  onModuleInit(): void {
    this.heartbeats.start();
    this.directory.start();
  }

  onModuleDestroy(): void {
    this.heartbeats.stop();
    this.directory.stop();
  }

  /** Resolves once the stored registry has been read. */
  ready(): Promise<void> {
    return this.directory.ready();
  }

  channels(now = Date.now()): ChannelStatus[] {
    return this.heartbeats.statuses(now).map((live) => {
      const deployment = this.directory.deployment(live.channel, now);
      return {
        channel: live.channel,
        // The router's rule exactly: heartbeats alone never make a channel available.
        available: deployment.available,
        up: live.instances > 0,
        provider: live.provider ?? deployment.announcement?.provider ?? null,
        status: live.status,
        instances: live.instances,
        lastAnnouncedAt: deployment.announcement?.announcedAt ?? null,
        unavailableReason: deployment.reason,
      };
    });
  }
}
