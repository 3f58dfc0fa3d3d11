import { baseEnv, buildBaseConfig, env, loadConfig, type BaseConfig } from '@switchboard/config';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/** A comma-separated list of host names and CIDRs (`hooks.internal,10.0.0.0/8,127.0.0.1/32`). */
const hostList = z
  .string()
  .default('')
  .transform((v, ctx) => {
    const entries = v
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    for (const entry of entries) {
      const valid = entry.includes('/') ? ipaddr.isValidCIDR(entry) : /^[A-Za-z0-9.:_[\]-]+$/.test(entry);
      if (!valid) ctx.addIssue({ code: 'custom', message: `"${entry}" is neither a host name nor a CIDR` });
    }
    return entries;
  });

const trackerEnv = {
  ...baseEnv,
  /** Events handed to one ingest transaction. */
  TRACKER_BATCH_SIZE: env.int(500),
  /** Deliveries of an event the database keeps rejecting before it goes to the dead-letter subject. */
  TRACKER_MAX_DELIVER: env.int(8),
  /** Requests in flight to one webhook endpoint (per tracker instance). */
  WEBHOOK_CONCURRENCY: env.int(4),
  WEBHOOK_TIMEOUT_MS: env.int(5_000),
  /** Attempts before a webhook delivery is given up. */
  WEBHOOK_MAX_ATTEMPTS: env.int(10),
  /** Delay before the second attempt; it doubles each time (with jitter), up to WEBHOOK_MAX_BACKOFF_MS. */
  WEBHOOK_BACKOFF_MS: env.int(2_000),
  WEBHOOK_MAX_BACKOFF_MS: env.int(3_600_000),
  /** How often each instance looks for due webhook deliveries it was not told about. */
  WEBHOOK_POLL_MS: env.int(1_000),
  /**
   * Internal targets webhooks may call anyway (host names or CIDRs). Without it only public
   * unicast addresses are reached: no loopback, private, link-local or metadata address.
   */
  WEBHOOK_ALLOW_HOSTS: hostList,
};

export interface TrackerConfig extends BaseConfig {
  batchSize: number;
  maxDeliver: number;
  webhooks: {
    concurrency: number;
    timeoutMs: number;
    maxAttempts: number;
    backoffMs: number;
    maxBackoffMs: number;
    pollMs: number;
    allowHosts: string[];
  };
}

export function loadTrackerConfig(source: NodeJS.ProcessEnv = process.env): TrackerConfig {
  return loadConfig(
    trackerEnv,
    (e) => ({
      ...buildBaseConfig(e),
      batchSize: e.TRACKER_BATCH_SIZE,
      maxDeliver: e.TRACKER_MAX_DELIVER,
      webhooks: {
        concurrency: e.WEBHOOK_CONCURRENCY,
        timeoutMs: e.WEBHOOK_TIMEOUT_MS,
        maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
        backoffMs: e.WEBHOOK_BACKOFF_MS,
        maxBackoffMs: e.WEBHOOK_MAX_BACKOFF_MS,
        pollMs: e.WEBHOOK_POLL_MS,
        allowHosts: e.WEBHOOK_ALLOW_HOSTS,
      },
    }),
    source,
  );
}
