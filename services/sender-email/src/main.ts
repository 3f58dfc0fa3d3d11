import { configOrExit, runService } from '@switchboard/service-kit';
import { loadEmailConfig, SERVICE } from './sender-email.config';
import { createSenderEmailModule } from './sender-email.module';

const config = configOrExit(() => loadEmailConfig());

void runService({ service: SERVICE, module: createSenderEmailModule(config), healthPort: config.health.port });
