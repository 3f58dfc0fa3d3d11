import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { NatsNames, type Channel } from '@switchboard/contracts';
import { ChannelDirectory, NATS_CONNECTION, type UnavailableReason } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { RouterConfig } from '../router.config';

const DETAILS: Record<UnavailableReason, string> = {
  'never announced': 'no deployed sender',
  removed: 'sender removed',
  silent: 'sender silent for longer than CHANNEL_GONE_AFTER',
};

/**
 * Which channels are available (DESIGN §2): those with a deployed sender, from the durable channel
 * registry. A sender that is down, restarting or has its breaker open is still deployed: its
 * dispatches wait in its durable consumer instead of the send failing or being re-routed.
 */
@Injectable()
export class ChannelRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly directory: ChannelDirectory;
  private readonly startedAt = Date.now();

  constructor(
    names: NatsNames,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: RouterConfig,
  ) {
    this.directory = new ChannelDirectory(nc, names, config.routing.channelGoneAfterMs);
  }

  onModuleInit(): void {
    this.directory.start();
  }

  onApplicationShutdown(): void {
    this.directory.stop();
  }

  available(now = Date.now()): Set<Channel> {
    const available = this.directory.available(now);
    for (const channel of this.config.routing.assumeChannels) available.add(channel);
    return available;
  }

  /** Why a channel is not available, as the skip detail says it. */
  unavailableDetail(channel: Channel, now = Date.now()): string {
    const reason = this.config.routing.assumeChannels.includes(channel)
      ? null
      : this.directory.deployment(channel, now).reason;
    return reason ? DETAILS[reason] : 'no deployed sender';
  }

  /**
   * Resolves once the stored registry has been read. On a fresh install (nothing announced yet)
   * it also gives the senders starting alongside time to announce themselves once.
   */
  async warmedUp(): Promise<void> {
    await this.directory.ready();
    if (this.directory.available().size > 0) return;
    const wait = this.startedAt + this.config.routing.channelWarmupMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
