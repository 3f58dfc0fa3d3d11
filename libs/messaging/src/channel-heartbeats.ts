import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  CHANNELS,
  ChannelHeartbeatSchema,
  HEARTBEAT_STALE_MS,
  type Channel,
  type ChannelHeartbeat,
  type NatsNames,
} from '@switchboard/contracts';

export interface ChannelStatus {
  channel: Channel;
  available: boolean;
  provider: string | null;
  status: ChannelHeartbeat['status'] | null;
  instances: number;
}

const RANK = { up: 0, degraded: 1, down: 2 } as const;

/**
 * The channel registry of DESIGN §2: which senders are alive, from their heartbeats on core NATS.
 * An instance counts until its last heartbeat is older than 15 s. Every process that needs it
 * listens for itself, so it holds no state another instance would have to share.
 */
export class ChannelHeartbeats {
  private readonly instances = new Map<string, { beat: ChannelHeartbeat; seenAt: number }>();
  private subscription?: Subscription;

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
  ) {}

  start(): void {
    this.subscription = this.nc.subscribe(this.names.subjects.channelHeartbeat(), {
      callback: (err, msg) => {
        if (err) return;
        let data: unknown;
        try {
          data = msg.json();
        } catch {
          return; // not JSON: nobody's heartbeat
        }
        const parsed = ChannelHeartbeatSchema.safeParse(data);
        if (parsed.success) this.record(parsed.data);
      },
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }

  record(beat: ChannelHeartbeat, now = Date.now()): void {
    this.instances.set(`${beat.channel}\u0000${beat.instanceId}`, { beat, seenAt: now });
  }

  /** Channels with at least one live sender. A sender whose breaker is open is still live. */
  live(now = Date.now()): Set<Channel> {
    this.forgetStale(now);
    return new Set([...this.instances.values()].map((e) => e.beat.channel));
  }

  /** Per channel: live instances, the best status among them, the provider of the latest. */
  statuses(now = Date.now()): ChannelStatus[] {
    this.forgetStale(now);
    return CHANNELS.map((channel) => {
      const live = [...this.instances.values()]
        .filter((e) => e.beat.channel === channel)
        .sort((a, b) => b.seenAt - a.seenAt);
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

  private forgetStale(now: number): void {
    for (const [key, entry] of this.instances) if (now - entry.seenAt > HEARTBEAT_STALE_MS) this.instances.delete(key);
  }
}
