import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  ChannelHeartbeatSchema,
  HEARTBEAT_INTERVAL_MS,
  NatsNames,
  type ChannelHeartbeat,
} from '@switchboard/contracts';
import { NATS_CONNECTION } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import type { ChannelRuntime } from '../provider/channel-runtime';
import type { SenderConfig } from '../sender.config';

export const CHANNEL_RUNTIMES = Symbol('CHANNEL_RUNTIMES');

/**
 * Announces each channel of this instance on `sb.channel.heartbeat.v1` (core NATS) every
 * HEARTBEAT_INTERVAL_MS, and at once whenever its breaker changes state, so the channel registry
 * sees a provider go down without waiting for the next beat.
 */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    @Inject(SERVICE_CONFIG) private readonly config: SenderConfig,
    @Inject(CHANNEL_RUNTIMES) private readonly runtimes: ChannelRuntime[],
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    for (const runtime of this.runtimes) {
      runtime.breaker.onStateChange((state) => {
        this.logger.warn({ channel: runtime.channel, provider: runtime.provider.name, state }, 'breaker state changed');
        this.beat(runtime);
      });
    }
    this.timer = setInterval(() => this.beatAll(), HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
    this.beatAll();
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  heartbeat(runtime: ChannelRuntime): ChannelHeartbeat {
    return {
      channel: runtime.channel,
      instanceId: this.config.instanceId,
      provider: runtime.provider.name,
      status: runtime.status,
      sentAt: new Date().toISOString(),
    };
  }

  private beatAll(): void {
    for (const runtime of this.runtimes) this.beat(runtime);
  }

  private beat(runtime: ChannelRuntime): void {
    if (this.stopped || this.nc.isClosed()) return;
    const heartbeat = ChannelHeartbeatSchema.parse(this.heartbeat(runtime));
    try {
      this.nc.publish(this.names.subjects.channelHeartbeat(), JSON.stringify(heartbeat));
    } catch (error) {
      this.logger.warn({ err: error }, 'heartbeat publish failed');
    }
  }
}
