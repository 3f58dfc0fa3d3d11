import { configOrExit, runService } from '@switchboard/service-kit';
import { loadSmsConfig, SERVICE } from './sender-sms.config';
import { createSenderSmsModule } from './sender-sms.module';

const config = configOrExit(() => loadSmsConfig());

void runService({ service: SERVICE, module: createSenderSmsModule(config), healthPort: config.health.port });
