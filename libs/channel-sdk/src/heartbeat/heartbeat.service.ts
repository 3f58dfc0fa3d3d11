import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  CHANNEL_ANNOUNCE_INTERVAL_MS,
  ChannelAnnouncementSchema,
  ChannelHeartbeatSchema,
  HEARTBEAT_INTERVAL_MS,
  NatsNames,
  type ChannelAnnouncement,
  type ChannelHeartbeat,
} from '@switchboard/contracts';
import { EventPublisher, NATS_CONNECTION } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import type { ChannelRuntime } from '../provider/channel-runtime';
import type { SenderConfig } from '../sender.config';

export const CHANNEL_RUNTIMES = Symbol('CHANNEL_RUNTIMES');

/**
 * Announces each channel of this instance on `sb.channel.heartbeat.v1` (core NATS) every
 * HEARTBEAT_INTERVAL_MS, and at once whenever its breaker changes state, so the channel registry
 * sees a provider go down without waiting for the next beat. Separately, it records on the durable
 * channel registry that the channel is deployed (at boot, then every CHANNEL_ANNOUNCE_INTERVAL_MS,
 * retried at the next beat when JetStream did not take it), and, on the shutdown of an instance
 * started with SENDER_DECOMMISSION=true, that it is removed.
 */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private announcedAt = 0;
  private announcing = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    @Inject(SERVICE_CONFIG) private readonly config: SenderConfig,
    @Inject(CHANNEL_RUNTIMES) private readonly runtimes: ChannelRuntime[],
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly publisher: EventPublisher,
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

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.config.registry?.decommission) await this.announce('removed');
  }

  announcement(runtime: ChannelRuntime, state: ChannelAnnouncement['state']): ChannelAnnouncement {
    return {
      channel: runtime.channel,
      state,
      instanceId: this.config.instanceId,
      provider: runtime.provider.name,
      announcedAt: new Date().toISOString(),
    };
  }

  /** Resolves true when JetStream stored every channel's announcement. */
  async announce(state: ChannelAnnouncement['state']): Promise<boolean> {
    if (this.nc.isClosed()) return false;
    try {
      await Promise.all(
        this.runtimes.map((runtime) => {
          const payload = this.announcement(runtime, state);
          return this.publisher.publish({
            subject: this.names.subjects.channelAnnounced(runtime.channel),
            payload,
            schema: ChannelAnnouncementSchema,
            msgId: `${payload.channel}:${payload.instanceId}:${state}:${payload.announcedAt}`,
          });
        }),
      );
      if (state === 'removed') this.logger.info({ channels: this.runtimes.map((r) => r.channel) }, 'channels removed');
      return true;
    } catch (error) {
      this.logger.warn({ err: error, state }, 'channel announcement not stored; retried at the next beat');
      return false;
    }
  }

  private announceWhenDue(): void {
    if (this.stopped || this.announcing || Date.now() - this.announcedAt < CHANNEL_ANNOUNCE_INTERVAL_MS) return;
    this.announcing = true;
    void this.announce('deployed')
      .then((stored) => {
        if (stored && !this.stopped) this.announcedAt = Date.now();
        // At first boot the stream may not exist yet: try again soon rather than at the next beat.
        else if (!stored) setTimeout(() => this.announceWhenDue(), 1_000).unref();
      })
      .finally(() => (this.announcing = false));
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
    this.announceWhenDue();
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
