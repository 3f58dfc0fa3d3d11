import type { z } from 'zod';
import { baseEnv, buildBaseConfig, env, type BaseConfig } from '@switchboard/config';

/** Variables every sender reads, on top of baseEnv. Each sender's env shape spreads this. */
export const senderEnv = {
  ...baseEnv,
  SB_TRACKING_SECRET: env.string(),
  SB_PUBLIC_URL: env.url('http://localhost:8080'),
  /** Where short links point (`{SB_SHORT_URL}/s/{code}`); the public URL when unset. */
  SB_SHORT_URL: env.optionalString(),
  /** Provider attempts per dispatch, the first included, before a transient failure becomes `failed`. */
  SENDER_MAX_ATTEMPTS: env.int(8),
  /** Full-jitter exponential backoff between attempts: 60 s doubling up to 15 min ≈ 30 min over 8 attempts on average. */
  SENDER_RETRY_BASE_MS: env.int(60_000),
  SENDER_RETRY_MAX_MS: env.int(900_000),
  /** Dispatches handed to one handler call; their provider calls run in parallel. */
  SENDER_BATCH_SIZE: env.int(32),
  /** Handler calls in flight per channel and instance (so up to BATCH_SIZE × CONCURRENCY provider calls). */
  SENDER_CONCURRENCY: env.int(4),
  SENDER_PROVIDER_TIMEOUT_MS: env.int(15_000),
  /** How long an open breaker waits before a half-open probe; dispatches come back about then. */
  SENDER_BREAKER_RESET_MS: env.int(30_000),
  SENDER_BREAKER_ERROR_PERCENT: env.int(50),
  /** Calls in the rolling window before the error percentage applies. */
  SENDER_BREAKER_VOLUME: env.int(5),
  /**
   * Set on an instance being shut down for good: on shutdown it announces its channels as removed,
   * so the router stops routing to them at once instead of after CHANNEL_GONE_AFTER.
   */
  SENDER_DECOMMISSION: env.bool(false),
  /**
   * How long provider feedback that matches no recorded dispatch is retried before it goes to the
   * dead-letter subject: a provider may report before the sender has recorded its answer.
   */
  SENDER_FEEDBACK_WAIT_MS: env.int(600_000),
};

export type SenderEnv = z.infer<z.ZodObject<typeof senderEnv>>;

export interface SenderConfig extends BaseConfig {
  tracking: { secret: string; publicUrl: string; shortUrl?: string };
  delivery: {
    maxAttempts: number;
    retryBaseMs: number;
    retryMaxMs: number;
    batchSize: number;
    concurrency: number;
  };
  breaker: { timeoutMs: number; resetTimeoutMs: number; errorThresholdPercentage: number; volumeThreshold: number };
  registry?: { decommission: boolean };
  feedback: { waitMs: number };
}

export function buildSenderConfig(e: SenderEnv): SenderConfig {
  return {
    ...buildBaseConfig(e),
    tracking: {
      secret: e.SB_TRACKING_SECRET,
      publicUrl: e.SB_PUBLIC_URL.replace(/\/$/, ''),
      shortUrl: (e.SB_SHORT_URL ?? e.SB_PUBLIC_URL).replace(/\/$/, ''),
    },
    delivery: {
      maxAttempts: Math.max(1, e.SENDER_MAX_ATTEMPTS),
      retryBaseMs: e.SENDER_RETRY_BASE_MS,
      retryMaxMs: e.SENDER_RETRY_MAX_MS,
      batchSize: Math.max(1, e.SENDER_BATCH_SIZE),
      concurrency: Math.max(1, e.SENDER_CONCURRENCY),
    },
    breaker: {
      timeoutMs: e.SENDER_PROVIDER_TIMEOUT_MS,
      resetTimeoutMs: e.SENDER_BREAKER_RESET_MS,
      errorThresholdPercentage: e.SENDER_BREAKER_ERROR_PERCENT,
      volumeThreshold: e.SENDER_BREAKER_VOLUME,
    },
    registry: { decommission: e.SENDER_DECOMMISSION },
    feedback: { waitMs: e.SENDER_FEEDBACK_WAIT_MS },
  };
}
