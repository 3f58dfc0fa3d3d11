import { configOrExit, runService } from '@switchboard/service-kit';
import { loadSenderInappConfig, SERVICE } from './sender-inapp.config';
import { createSenderInappModule } from './sender-inapp.module';

const config = configOrExit(() => loadSenderInappConfig());

void runService({ service: SERVICE, module: createSenderInappModule(config), healthPort: config.health.port });
