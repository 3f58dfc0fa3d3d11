import { configOrExit, runService } from '@switchboard/service-kit';
import { loadPreferencesConfig } from './preferences.config';
import { createPreferencesModule, SERVICE_NAME } from './preferences.module';

const config = configOrExit(() => loadPreferencesConfig());
void runService({ service: SERVICE_NAME, module: createPreferencesModule(config), healthPort: config.health.port });
