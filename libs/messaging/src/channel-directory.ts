import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  CHANNELS,
  ChannelAnnouncementSchema,
  type Channel,
  type ChannelAnnouncement,
  type NatsNames,
} from '@switchboard/contracts';

/** Why a channel is not available, as the router's skip detail says it. */
export type UnavailableReason = 'never announced' | 'removed' | 'silent';

export interface ChannelDeployment {
  channel: Channel;
  available: boolean;
  /** Null while available; otherwise why not. */
  reason: UnavailableReason | null;
  /** The last announcement, if any. */
  announcement: ChannelAnnouncement | null;
}

/**
 * The durable half of the channel registry (DESIGN §2): which channels have a *deployed* sender.
 * Senders announce themselves on a last-value stream; this reads the last announcement per channel
 * at start (so a restarted router remembers channels whose senders are down right now), then
 * follows new ones as they are published, and re-reads every `refreshMs` in case it missed one
 * while disconnected. Whether a sender is up this second is the heartbeats' business, not this.
 */
export class ChannelDirectory {
  private readonly latest = new Map<Channel, ChannelAnnouncement>();
  private subscription?: Subscription;
  private timer?: NodeJS.Timeout;
  private loaded: Promise<void> = Promise.resolve();

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly goneAfterMs: number,
    private readonly refreshMs = 30_000,
  ) {}

  start(): void {
    this.subscription = this.nc.subscribe(this.names.subjects.channelAnnounced('*'), {
      callback: (err, msg) => {
        if (err) return;
        try {
          this.take(msg.json());
        } catch {
          // not JSON: nobody's announcement
        }
      },
    });
    this.loaded = this.reload();
    this.timer = setInterval(() => void this.reload(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.subscription?.unsubscribe();
  }

  /** Resolves once the stored announcements have been read (or could not be, NATS being down). */
  ready(): Promise<void> {
    return this.loaded;
  }

  /** Reads the last stored announcement of every channel; keeps what it knew when NATS does not answer. */
  async reload(): Promise<void> {
    try {
      const jsm = await jetstreamManager(this.nc);
      const stream = this.names.streamName('registry');
      for (const channel of CHANNELS) {
        const stored = await jsm.streams.getMessage(stream, {
          last_by_subj: this.names.subjects.channelAnnounced(channel),
        });
        if (stored) this.take(stored.json());
      }
    } catch {
      // stream missing or NATS unreachable: the next reload or announcement fills in
    }
  }

  /** Keeps an announcement if it is the newest for its channel (a later `deployed` outranks an earlier `removed`). */
  take(data: unknown): void {
    const parsed = ChannelAnnouncementSchema.safeParse(data);
    if (!parsed.success) return;
    const current = this.latest.get(parsed.data.channel);
    if (current && Date.parse(current.announcedAt) > Date.parse(parsed.data.announcedAt)) return;
    this.latest.set(parsed.data.channel, parsed.data);
  }

  deployment(channel: Channel, now = Date.now()): ChannelDeployment {
    const announcement = this.latest.get(channel) ?? null;
    const reason: UnavailableReason | null = !announcement
      ? 'never announced'
      : announcement.state === 'removed'
        ? 'removed'
        : now - Date.parse(announcement.announcedAt) > this.goneAfterMs
          ? 'silent'
          : null;
    return { channel, available: reason === null, reason, announcement };
  }

  /** The channels with a deployed sender. */
  available(now = Date.now()): Set<Channel> {
    return new Set(CHANNELS.filter((c) => this.deployment(c, now).available));
  }
}
