import { baseEnv, buildBaseConfig, env, loadConfig, type BaseConfig } from '@switchboard/config';

export const campaignActionsEnv = {
  ...baseEnv,
  /** Campaign actions handed to one handler call (each holds up to 1,000 contacts). */
  CAMPAIGN_ACTIONS_BATCH_SIZE: env.int(16),
  CAMPAIGN_ACTIONS_CONCURRENCY: env.int(2),
  /** A send request expires this long after it is requested (DESIGN §4.5: 7 days). */
  SEND_EXPIRES_AFTER_MS: env.int(7 * 86_400_000),
  /** How often the deferred-send scheduler looks for due sends. */
  SCHEDULER_POLL_MS: env.int(1_000),
  /** Due sends claimed per scheduler transaction. */
  SCHEDULER_BATCH_SIZE: env.int(500),
  /** Emitted scheduler rows are kept this long (redelivered deferrals stay deduplicated), then purged. */
  SCHEDULER_RETENTION_MS: env.int(8 * 86_400_000),
};

export interface CampaignActionsConfig extends BaseConfig {
  actions: { batchSize: number; concurrency: number; sendExpiresAfterMs: number };
  scheduler: { pollMs: number; batchSize: number; retentionMs: number };
}

export function loadCampaignActionsConfig(source: NodeJS.ProcessEnv = process.env): CampaignActionsConfig {
  return loadConfig(
    campaignActionsEnv,
    (e) => ({
      ...buildBaseConfig(e),
      actions: {
        batchSize: e.CAMPAIGN_ACTIONS_BATCH_SIZE,
        concurrency: e.CAMPAIGN_ACTIONS_CONCURRENCY,
        sendExpiresAfterMs: e.SEND_EXPIRES_AFTER_MS,
      },
      scheduler: {
        pollMs: e.SCHEDULER_POLL_MS,
        batchSize: e.SCHEDULER_BATCH_SIZE,
        retentionMs: e.SCHEDULER_RETENTION_MS,
      },
    }),
    source,
  );
}
