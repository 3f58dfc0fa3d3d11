import type { NatsConnection } from '@nats-io/transport-node';
import type { Channel, NatsNames } from '@switchboard/contracts';

export interface FakeSenderOptions {
  instanceId?: string;
  provider?: string;
  status?: 'up' | 'degraded' | 'down';
  /** Beat every this many ms until stopped; 0 announces once. */
  everyMs?: number;
}

/**
 * Stands in for a sender of `channel` (DESIGN §2): records it as deployed on the channel registry
 * and sends heartbeats as a live instance would. `stop()` ends the heartbeats only, as a crash does.
 */
export function fakeSender(
  nc: NatsConnection,
  names: NatsNames,
  channel: Channel,
  options: FakeSenderOptions = {},
): { stop(): void } {
  const instanceId = options.instanceId ?? `test-${channel}`;
  const provider = options.provider ?? 'test';
  announceChannel(nc, names, channel, 'deployed', { instanceId, provider });
  const beat = () =>
    nc.publish(
      names.subjects.channelHeartbeat(),
      JSON.stringify({
        channel,
        instanceId,
        provider,
        status: options.status ?? 'up',
        sentAt: new Date().toISOString(),
      }),
    );
  beat();
  const timer = options.everyMs === 0 ? undefined : setInterval(beat, options.everyMs ?? 1_000);
  return { stop: () => clearInterval(timer) };
}

/** Publishes a channel registry announcement (the stream keeps it, subscribers see it at once). */
export function announceChannel(
  nc: NatsConnection,
  names: NatsNames,
  channel: Channel,
  state: 'deployed' | 'removed',
  options: { instanceId?: string; provider?: string; announcedAt?: Date } = {},
): void {
  nc.publish(
    names.subjects.channelAnnounced(channel),
    JSON.stringify({
      channel,
      state,
      instanceId: options.instanceId ?? `test-${channel}`,
      provider: options.provider ?? 'test',
      announcedAt: (options.announcedAt ?? new Date()).toISOString(),
    }),
  );
}
