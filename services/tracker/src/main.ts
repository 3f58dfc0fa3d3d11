import { configOrExit, runService } from '@switchboard/service-kit';
import { loadTrackerConfig } from './tracker.config';
import { TrackerModule } from './tracker.module';

const config = configOrExit(() => loadTrackerConfig());
void runService({ service: 'tracker', module: TrackerModule.forRoot(config), healthPort: config.health.port });
