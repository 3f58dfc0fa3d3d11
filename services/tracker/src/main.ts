import { configOrExit, runService } from '@switchboard/service-kit';
import { loadTrackerConfig } from './tracker.config';
import { createTrackerModule } from './tracker.module';

const config = configOrExit(() => loadTrackerConfig());
void runService({ service: 'tracker', module: createTrackerModule(config), healthPort: config.health.port });
