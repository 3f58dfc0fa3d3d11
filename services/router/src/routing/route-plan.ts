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

/**
 * DESIGN §4 steps 1–2 for one send request: the message must be published; candidates are its
 * enabled channels with a deployed sender, override order first, then the message's own order.
 * Preferences moves the preferred channel to the front and judges the rest.
 */
export function planRoute(
  req: SendRequested,
  message: RoutableMessage | null | undefined,
  available: ReadonlySet<Channel>,
  now: Date,
  unavailableDetail: (channel: Channel) => string = () => 'no deployed sender',
): RoutePlan {
  if (!message) return { kind: 'settled', reason: 'not_found', candidates: [], skipped: [] };
  if (!isPublishedAt(message, now)) return { kind: 'settled', reason: 'unpublished', candidates: [], skipped: [] };
  if (now >= new Date(req.expiresAt)) return { kind: 'settled', reason: 'expired', candidates: [], skipped: [] };

  const enabled = message.channels.filter((c) => c.isEnabled);
  const enabledKeys = enabled.map((c) => c.channel);
  const ordered = [...new Set([...(req.channels ?? []).filter((c) => enabledKeys.includes(c)), ...enabledKeys])];
  const candidates = ordered.filter((c) => available.has(c));
  if (candidates.length === 0) {
    const skipped = ordered.map((channel): Skipped => ({
      channel,
      reason: 'unavailable',
      detail: unavailableDetail(channel),
    }));
    return { kind: 'settled', reason: 'no_channel', candidates, skipped };
  }

  const contentIds = new Map<Channel, number>();
  const contentUnavailable: Channel[] = [];
  for (const row of enabled) {
    if (!candidates.includes(row.channel)) continue;
    if (row.contentAvailable && row.channelId !== null) contentIds.set(row.channel, row.channelId);
    else contentUnavailable.push(row.channel);
  }
  return {
    kind: 'decide',
    contentIds,
    request: {
      sendId: req.sendId,
      attempt: req.attempt ?? 0,
      contactId: req.contactId,
      channels: candidates,
      contentUnavailable,
      excludeChannels: req.excludeChannels ?? [],
      deferrals: req.deferrals ?? 0,
      expiresAt: req.expiresAt,
    },
  };
}
