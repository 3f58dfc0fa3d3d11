import { baseEnv, buildBaseConfig, env, loadConfig, type BaseConfig } from '@switchboard/config';

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
      },
    }),
    source,
  );
}
