import { Module } from '@nestjs/common';
import { ServiceKitModule } from '@switchboard/service-kit';
import { createLogger, type Logger } from '@switchboard/telemetry';
import { ActionsService } from './actions/actions.service';
import { CampaignActionConsumer } from './actions/campaign-action.consumer';
import type { CampaignActionsConfig } from './campaign-actions.config';
import { CreateScheduledSends1767225700000 } from './migrations/1767225700000-CreateScheduledSends';
import { DeferredOutcomeConsumer } from './scheduler/deferred-outcome.consumer';
import { ScheduledSendsRepository } from './scheduler/scheduled-sends.repository';
import { SchedulerService } from './scheduler/scheduler.service';

export function createCampaignActionsModule(
  config: CampaignActionsConfig,
  logger: Logger = createLogger('campaign-actions', config.log.level),
): Function {
  @Module({
    imports: [
      ServiceKitModule.forRoot({
        service: 'campaign-actions',
        config,
        logger,
        database: { schema: 'campaign_actions', migrations: [CreateScheduledSends1767225700000] },
      }),
    ],
    providers: [
      ScheduledSendsRepository,
      SchedulerService,
      DeferredOutcomeConsumer,
      ActionsService,
      CampaignActionConsumer,
    ],
  })
  class CampaignActionsModule {}
  return CampaignActionsModule;
}
