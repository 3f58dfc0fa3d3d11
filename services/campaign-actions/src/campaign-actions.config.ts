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
  /** How often the campaign timer looks for schedule slots that have come. */
  CAMPAIGN_POLL_MS: env.int(1_000),
  /** How often an idle instance looks for shipments to run (or to take over from a dead instance). */
  SHIPMENT_POLL_MS: env.int(1_000),
  /** A shipment whose worker went silent this long is resumed by another instance. */
  SHIPMENT_LEASE_MS: env.int(30_000),
  /** Shipments one instance runs at once. */
  SHIPMENT_CONCURRENCY: env.int(2),
  /** Send requests published per step (one transaction moves the cursor past them). */
  SHIPMENT_CHUNK: env.int(2_000),
  /** Contacts per audience page asked of preferences. */
  AUDIENCE_PAGE_SIZE: env.int(5_000),
  AUDIENCE_TIMEOUT_MS: env.int(30_000),
};

export interface CampaignActionsConfig extends BaseConfig {
  actions: { batchSize: number; concurrency: number; sendExpiresAfterMs: number };
  scheduler: { pollMs: number; batchSize: number; retentionMs: number };
  campaigns: { pollMs: number };
  shipments: {
    pollMs: number;
    leaseMs: number;
    concurrency: number;
    chunk: number;
    audiencePage: number;
    audienceTimeoutMs: number;
  };
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
      campaigns: { pollMs: e.CAMPAIGN_POLL_MS },
      shipments: {
        pollMs: e.SHIPMENT_POLL_MS,
        leaseMs: e.SHIPMENT_LEASE_MS,
        concurrency: e.SHIPMENT_CONCURRENCY,
        chunk: e.SHIPMENT_CHUNK,
        audiencePage: e.AUDIENCE_PAGE_SIZE,
        audienceTimeoutMs: e.AUDIENCE_TIMEOUT_MS,
      },
    }),
    source,
  );
}
