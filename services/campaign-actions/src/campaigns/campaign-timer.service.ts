import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { PollLoop, SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import type { CampaignActionsConfig } from '../campaign-actions.config';
import { ShipmentRunner } from '../shipments/shipment-runner.service';
import { ShipmentsRepository } from '../shipments/shipments.repository';
import { CampaignsRepository } from './campaigns.repository';
import { nextSlot } from './schedule';

const CLAIM_LIMIT = 50;

/** A shipment's id says which slot of which campaign it runs: the same slot always gets the same id. */
export function shipmentIdOf(campaignId: number, slot: Date): string {
  return `${campaignId}-${slot.getTime()}`;
}

/**
 * Starts a shipment for every campaign whose slot has come. Several instances poll at once: each
 * due campaign row goes to one of them (SKIP LOCKED), and UNIQUE (campaign_id, slot) keeps a
 * slot to one shipment even if two got past that. A recurring campaign's next slot is the first
 * cron time after now: slots missed while no instance ran are not made up one by one.
 */
@Injectable()
export class CampaignTimer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: PollLoop;

  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly shipments: ShipmentsRepository,
    private readonly runner: ShipmentRunner,
    @Inject(SERVICE_CONFIG) config: CampaignActionsConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.loop = new PollLoop(
      async () => {
        if ((await this.tick()) > 0) this.runner.nudge();
      },
      {
        intervalMs: config.campaigns.pollMs,
        onError: (err) => logger.error({ err }, 'campaign timer pass failed; will try again'),
      },
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** Looks for due slots now (a campaign was just approved) instead of at the next poll. */
  nudge(): void {
    this.loop.nudge();
  }

  /** Starts the shipments of every due slot; returns how many it started. */
  async tick(): Promise<number> {
    return this.campaigns.transaction(async (em) => {
      const due = await this.campaigns.claimDue(em, CLAIM_LIMIT);
      let started = 0;
      const now = new Date();
      for (const c of due) {
        if (await this.shipments.create(em, shipmentIdOf(c.id, c.nextRunAt), c.id, c.nextRunAt)) started++;
        const after = c.nextRunAt > now ? c.nextRunAt : now;
        await this.campaigns.shipped(em, c.id, nextSlot(c.schedule, after, false));
      }
      return started;
    });
  }
}
