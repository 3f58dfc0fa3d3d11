import { configOrExit, runService } from '@switchboard/service-kit';
import { loadCatalogConfig } from './catalog.config';
import { createCatalogModule } from './catalog.module';

const config = configOrExit(() => loadCatalogConfig());

void runService({ service: 'catalog', module: createCatalogModule(config), healthPort: config.health.port });
