import { Inject, Injectable } from '@nestjs/common';
import { CampaignActionSchema, NatsNames, type CampaignAction, durableConsumers } from '@switchboard/contracts';
import { Consumer, type ConsumerSpec, type Delivery, type EventConsumer, type Outcome } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { CampaignActionsConfig } from '../campaign-actions.config';
import { ActionsService } from './actions.service';

/** sb.campaign.action.v1; a payload failing CampaignActionSchema goes to the DLQ with the reason. */
@Consumer()
@Injectable()
export class CampaignActionConsumer implements EventConsumer<CampaignAction> {
  readonly spec: ConsumerSpec<CampaignAction>;

  constructor(
    names: NatsNames,
    @Inject(SERVICE_CONFIG) config: CampaignActionsConfig,
    private readonly actions: ActionsService,
  ) {
    this.spec = {
      ...durableConsumers(names)['campaign-actions'].action,
      schema: CampaignActionSchema,
      batchSize: config.actions.batchSize,
      concurrency: config.actions.concurrency,
    };
  }

  async handle(batch: Delivery<CampaignAction>[]): Promise<Outcome[]> {
    return this.actions.expand(batch.map((d) => d.data));
  }
}
