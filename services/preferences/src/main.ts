import { configOrExit, runService } from '@switchboard/service-kit';
import { loadPreferencesConfig } from './preferences.config';
import { PreferencesModule, SERVICE_NAME } from './preferences.module';

const config = configOrExit(() => loadPreferencesConfig());
void runService({ service: SERVICE_NAME, module: PreferencesModule.forRoot(config), healthPort: config.health.port });
