import { configOrExit, runService } from '@switchboard/service-kit';
import { loadCampaignActionsConfig } from './campaign-actions.config';
import { createCampaignActionsModule } from './campaign-actions.module';

const config = configOrExit(() => loadCampaignActionsConfig());

void runService({
  service: 'campaign-actions',
  module: createCampaignActionsModule(config),
  healthPort: config.health.port,
});
