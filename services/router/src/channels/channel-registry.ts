import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { ChannelHeartbeatSchema, HEARTBEAT_STALE_MS, NatsNames, type Channel } from '@switchboard/contracts';
import { NATS_CONNECTION } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { RouterConfig } from '../router.config';

/**
 * Which channels have a live sender, from the heartbeats on core NATS (DESIGN §5). A sender whose
 * breaker is open is still live: its dispatches wait for the provider instead of being re-routed.
 */
@Injectable()
export class ChannelRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly lastSeen = new Map<Channel, Map<string, number>>();
  private readonly startedAt = Date.now();
  private subscription?: Subscription;

  constructor(
    private readonly names: NatsNames,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: RouterConfig,
  ) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(this.names.subjects.channelHeartbeat(), {
      callback: (err, msg) => {
        if (err) return;
        const beat = ChannelHeartbeatSchema.safeParse(msg.json());
        if (!beat.success) return;
        const instances = this.lastSeen.get(beat.data.channel) ?? new Map<string, number>();
        instances.set(beat.data.instanceId, Date.now());
        this.lastSeen.set(beat.data.channel, instances);
      },
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  live(now = Date.now()): Set<Channel> {
    const live = new Set<Channel>(this.config.routing.assumeChannels);
    for (const [channel, instances] of this.lastSeen) {
      for (const [instance, seenAt] of instances) {
        if (now - seenAt <= HEARTBEAT_STALE_MS) live.add(channel);
        else instances.delete(instance);
      }
    }
    return live;
  }

  /** Resolves once every sender has had time to announce itself since this process started. */
  async warmedUp(): Promise<void> {
    const wait = this.startedAt + this.config.routing.channelWarmupMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
