import { configOrExit, runService } from '@switchboard/service-kit';
import { configureHttp } from './http';
import { loadGatewayConfig } from './gateway.config';
import { createGatewayModule } from './gateway.module';

const config = configOrExit(() => loadGatewayConfig());

void runService({
  service: 'gateway',
  module: createGatewayModule(config),
  healthPort: config.health.port,
  httpPort: config.http.port,
  configureHttp: (app) => configureHttp(app, config),
});
