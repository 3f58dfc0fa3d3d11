import { Module, type DynamicModule } from '@nestjs/common';
import { serviceModule, type ServiceModuleOptions } from '@switchboard/service-kit';
import { ActionsService } from './actions/actions.service';
import { CampaignActionConsumer } from './actions/campaign-action.consumer';
import type { CampaignActionsConfig } from './campaign-actions.config';
import { CampaignTimer } from './campaigns/campaign-timer.service';
import { CampaignsRepository } from './campaigns/campaigns.repository';
import { CampaignsRpc } from './campaigns/campaigns.rpc';
import { CampaignsService } from './campaigns/campaigns.service';
import { CreateScheduledSends1767225700000 } from './migrations/1767225700000-CreateScheduledSends';
import { ListEmailSendsRepository } from './list-emails/list-email-sends.repository';
import { ListEmailRpc } from './list-emails/list-email.rpc';
import { ListEmailService } from './list-emails/list-email.service';
import { CreateCampaigns1767225800000 } from './migrations/1767225800000-CreateCampaigns';
import { CreateListEmailSends1796990000200 } from './migrations/1796990000200-CreateListEmailSends';
import { DeferredOutcomeConsumer } from './scheduler/deferred-outcome.consumer';
import { ScheduledSendsRepository } from './scheduler/scheduled-sends.repository';
import { SchedulerService } from './scheduler/scheduler.service';
import { ShipmentEvents } from './shipments/shipment-events';
import { ShipmentMetrics } from './shipments/shipment-metrics';
import { ShipmentRunner } from './shipments/shipment-runner.service';
import { ShipmentsRepository } from './shipments/shipments.repository';

@Module({})
export class CampaignActionsModule {}

export function createCampaignActionsModule(
  config: CampaignActionsConfig,
  options: ServiceModuleOptions = {},
): DynamicModule {
  return serviceModule(CampaignActionsModule, {
    service: 'campaign-actions',
    config,
    ...options,
    database: {
      schema: 'campaign_actions',
      migrations: [CreateScheduledSends1767225700000, CreateCampaigns1767225800000, CreateListEmailSends1796990000200],
    },
    providers: [
      ScheduledSendsRepository,
      SchedulerService,
      DeferredOutcomeConsumer,
      ActionsService,
      CampaignActionConsumer,
      CampaignsRepository,
      ShipmentsRepository,
      ShipmentEvents,
      ShipmentRunner,
      ShipmentMetrics,
      CampaignTimer,
      CampaignsService,
      CampaignsRpc,
      ListEmailSendsRepository,
      ListEmailService,
      ListEmailRpc,
    ],
  });
}
