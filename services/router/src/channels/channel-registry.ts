import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { NatsNames, type Channel } from '@switchboard/contracts';
import { ChannelHeartbeats, NATS_CONNECTION } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { RouterConfig } from '../router.config';

/**
 * Which channels have a live sender (DESIGN §2). A sender whose breaker is open is still live:
 * its dispatches wait for the provider instead of being re-routed.
 */
@Injectable()
export class ChannelRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly heartbeats: ChannelHeartbeats;
  private readonly startedAt = Date.now();

  constructor(
    names: NatsNames,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: RouterConfig,
  ) {
    this.heartbeats = new ChannelHeartbeats(nc, names);
  }

  onModuleInit(): void {
    this.heartbeats.start();
  }

  onApplicationShutdown(): void {
    this.heartbeats.stop();
  }

  live(now = Date.now()): Set<Channel> {
    const live = this.heartbeats.live(now);
    for (const channel of this.config.routing.assumeChannels) live.add(channel);
    return live;
  }

  /** Resolves once every sender has had time to announce itself since this process started. */
  async warmedUp(): Promise<void> {
    const wait = this.startedAt + this.config.routing.channelWarmupMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
