import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { CHANNELS, ChannelHeartbeatSchema, HEARTBEAT_STALE_MS, NatsNames, type Channel, type ChannelHeartbeat } from '@switchboard/contracts';
import { NATS_CONNECTION } from '@switchboard/messaging';

export interface ChannelStatus {
  channel: Channel;
  available: boolean;
  provider: string | null;
  status: 'up' | 'degraded' | 'down' | null;
  instances: number;
}

const RANK = { up: 0, degraded: 1, down: 2 } as const;

/**
 * Live senders from `sb.channel.heartbeat.v1` (core NATS): an instance counts until its last
 * heartbeat is older than 15 s. Every gateway instance listens for itself.
 */
@Injectable()
export class ChannelRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly instances = new Map<string, { beat: ChannelHeartbeat; seenAt: number }>();
  private subscription?: Subscription;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: NatsNames,
  ) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(this.names.subjects.channelHeartbeat(), {
      callback: (err, msg) => {
        if (err) return;
        let data: unknown;
        try {
          data = msg.json();
        } catch {
          return;
        }
        const parsed = ChannelHeartbeatSchema.safeParse(data);
        if (parsed.success) this.record(parsed.data);
      },
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  record(beat: ChannelHeartbeat, now = Date.now()): void {
    this.instances.set(`${beat.channel}\u0000${beat.instanceId}`, { beat, seenAt: now });
  }

  channels(now = Date.now()): ChannelStatus[] {
    for (const [key, entry] of this.instances) if (now - entry.seenAt > HEARTBEAT_STALE_MS) this.instances.delete(key);
    return CHANNELS.map((channel) => {
      const live = [...this.instances.values()].filter((e) => e.beat.channel === channel).sort((a, b) => b.seenAt - a.seenAt);
      const best = live.map((e) => e.beat.status).sort((a, b) => RANK[a] - RANK[b])[0];
      return {
        channel,
        available: live.length > 0,
        provider: live[0]?.beat.provider ?? null,
        status: best ?? null,
        instances: live.length,
      };
    });
  }
}
