import type { Channel, DecisionRequest, RoutableMessage, SendRequested, Skipped } from '@switchboard/contracts';

export type FailureReason = 'unpublished' | 'not_found' | 'no_channel' | 'expired' | 'canceled';

/** What the router can settle alone (DESIGN §4 step 1, or nothing left to judge), or what preferences must decide. */
export type RoutePlan =
  | { kind: 'settled'; reason: FailureReason; candidates: Channel[]; skipped: Skipped[] }
  | { kind: 'decide'; request: DecisionRequest; contentIds: Map<Channel, number> };

export function isPublishedAt(message: RoutableMessage, now: Date): boolean {
  if (!message.isPublished) return false;
  if (message.publishUp && now < new Date(message.publishUp)) return false;
  if (message.publishDown && now >= new Date(message.publishDown)) return false;
  return true;
}

/** What a message's channels allow under one order override, the same for every request of a round. */
type ChannelPlan =
  | { kind: 'unpublished' }
  | { kind: 'settled'; candidates: Channel[]; skipped: Skipped[] }
  | { kind: 'decide'; channels: Channel[]; contentUnavailable: Channel[]; contentIds: Map<Channel, number> };

/**
 * DESIGN §4 steps 1–2 for the send requests of one round: the message must be published;
 * candidates are its enabled channels with a deployed sender, override order first, then the
 * message's own order. Preferences moves the preferred channel to the front and judges the rest.
 * What depends only on the message and the override is worked out once per round, not per request
 * (a batch of 1,000 is mostly one message): the requests share its lists.
 */
export class RoutePlanner {
  private readonly byMessage = new Map<RoutableMessage, ChannelPlan>();
  private readonly byOverride = new Map<string, ChannelPlan>();
  private readonly nowMs: number;

  constructor(
    private readonly available: ReadonlySet<Channel>,
    private readonly now: Date,
    private readonly unavailableDetail: (channel: Channel) => string = () => 'no deployed sender',
  ) {
    this.nowMs = now.getTime();
  }

  plan(req: SendRequested, message: RoutableMessage | null | undefined): RoutePlan {
    if (!message) return { kind: 'settled', reason: 'not_found', candidates: [], skipped: [] };
    const channels = this.channelPlan(message, req.channels);
    if (channels.kind === 'unpublished') return { kind: 'settled', reason: 'unpublished', candidates: [], skipped: [] };
    if (this.nowMs >= Date.parse(req.expiresAt))
      return { kind: 'settled', reason: 'expired', candidates: [], skipped: [] };
    if (channels.kind === 'settled')
      return { kind: 'settled', reason: 'no_channel', candidates: [], skipped: channels.skipped.slice() };
    return {
      kind: 'decide',
      contentIds: channels.contentIds,
      request: {
        sendId: req.sendId,
        attempt: req.attempt ?? 0,
        contactId: req.contactId,
        channels: channels.channels,
        contentUnavailable: channels.contentUnavailable,
        excludeChannels: req.excludeChannels ?? [],
        deferrals: req.deferrals ?? 0,
        expiresAt: req.expiresAt,
      },
    };
  }

  private channelPlan(message: RoutableMessage, override: Channel[] | undefined): ChannelPlan {
    const key = override?.length ? `${message.id}\u0000${override.join(',')}` : undefined;
    const known = key === undefined ? this.byMessage.get(message) : this.byOverride.get(key);
    if (known) return known;
    const plan = this.planChannels(message, override ?? []);
    if (key === undefined) this.byMessage.set(message, plan);
    else this.byOverride.set(key, plan);
    return plan;
  }

  private planChannels(message: RoutableMessage, override: Channel[]): ChannelPlan {
    if (!isPublishedAt(message, this.now)) return { kind: 'unpublished' };
    const enabled = message.channels.filter((c) => c.isEnabled);
    const enabledKeys = enabled.map((c) => c.channel);
    const ordered = [...new Set([...override.filter((c) => enabledKeys.includes(c)), ...enabledKeys])];
    const candidates = ordered.filter((c) => this.available.has(c));
    if (candidates.length === 0) {
      const skipped = ordered.map((channel): Skipped => ({
        channel,
        reason: 'unavailable',
        detail: this.unavailableDetail(channel),
      }));
      return { kind: 'settled', candidates, skipped };
    }
    const contentIds = new Map<Channel, number>();
    const contentUnavailable: Channel[] = [];
    for (const row of enabled) {
      if (!candidates.includes(row.channel)) continue;
      if (row.contentAvailable && row.channelId !== null) contentIds.set(row.channel, row.channelId);
      else contentUnavailable.push(row.channel);
    }
    return { kind: 'decide', channels: candidates, contentUnavailable, contentIds };
  }
}

/** One request planned alone (a round plans its requests with one RoutePlanner). */
export function planRoute(
  req: SendRequested,
  message: RoutableMessage | null | undefined,
  available: ReadonlySet<Channel>,
  now: Date,
  unavailableDetail?: (channel: Channel) => string,
): RoutePlan {
  return new RoutePlanner(available, now, unavailableDetail).plan(req, message);
}
