import { baseEnv, buildBaseConfig, env, loadConfig, type BaseConfig } from '@switchboard/config';
import { CHANNEL_GONE_AFTER_MS, ChannelSchema, HEARTBEAT_INTERVAL_MS, type Channel } from '@switchboard/contracts';
import { z } from 'zod';

const channelList = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean),
  )
  .pipe(z.array(ChannelSchema));

export const routerEnv = {
  ...baseEnv,
  /** Send requests handed to one routing pass (and one preferences.decide call). */
  ROUTER_BATCH_SIZE: env.int(500),
  ROUTER_CONCURRENCY: env.int(2),
  /** How long a routable message stays cached without a catalog change event. */
  ROUTER_CATALOG_TTL_MS: env.int(30_000),
  /** Channels treated as live without a heartbeat (benchmarks, tests without senders). Empty in production. */
  ROUTER_ASSUME_CHANNELS: channelList,
  /** On a fresh install (no channel announced yet), routing first waits this long for senders to announce themselves. */
  ROUTER_CHANNEL_WARMUP_MS: env.int(HEARTBEAT_INTERVAL_MS + 1_000),
  /** A channel whose senders have not announced themselves for this long is no longer available (`24h`, `30s`, ms). */
  CHANNEL_GONE_AFTER: env.duration(CHANNEL_GONE_AFTER_MS),
  ROUTER_DECIDE_TIMEOUT_MS: env.int(15_000),
  /** A send request not acked this long after delivery (its router died) is delivered again. */
  ROUTER_ACK_WAIT_MS: env.int(30_000),
  MAX_DEFERRALS: env.int(3),
  /** Decision records and delivery events older than this are pruned (GET /api/sends/{id} shows them until then); 0 keeps them. */
  ROUTER_RECORDS_RETENTION_DAYS: env.int(90),
};

export interface RouterConfig extends BaseConfig {
  routing: {
    batchSize: number;
    concurrency: number;
    catalogTtlMs: number;
    assumeChannels: Channel[];
    channelWarmupMs: number;
    channelGoneAfterMs: number;
    decideTimeoutMs: number;
    ackWaitMs: number;
    maxDeferrals: number;
    recordsRetentionDays: number;
  };
}

export function loadRouterConfig(source: NodeJS.ProcessEnv = process.env): RouterConfig {
  return loadConfig(
    routerEnv,
    (e) => ({
      ...buildBaseConfig(e),
      routing: {
        batchSize: e.ROUTER_BATCH_SIZE,
        concurrency: e.ROUTER_CONCURRENCY,
        catalogTtlMs: e.ROUTER_CATALOG_TTL_MS,
        assumeChannels: e.ROUTER_ASSUME_CHANNELS,
        channelWarmupMs: e.ROUTER_CHANNEL_WARMUP_MS,
        channelGoneAfterMs: e.CHANNEL_GONE_AFTER,
        decideTimeoutMs: e.ROUTER_DECIDE_TIMEOUT_MS,
        ackWaitMs: e.ROUTER_ACK_WAIT_MS,
        maxDeferrals: e.MAX_DEFERRALS,
        recordsRetentionDays: e.ROUTER_RECORDS_RETENTION_DAYS,
      },
    }),
    source,
  );
}
