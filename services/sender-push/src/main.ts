import { configOrExit, runService } from '@switchboard/service-kit';
import { loadPushConfig, SERVICE } from './sender-push.config';
import { createSenderPushModule } from './sender-push.module';

const config = configOrExit(() => loadPushConfig());

void runService({ service: SERVICE, module: createSenderPushModule(config), healthPort: config.health.port });
