import { configOrExit, runService } from '@switchboard/service-kit';
import { loadRouterConfig } from './router.config';
import { createRouterModule } from './router.module';

const config = configOrExit(() => loadRouterConfig());

void runService({ service: 'router', module: createRouterModule(config), healthPort: config.health.port });
