import type { DynamicModule, Provider, Type } from '@nestjs/common';
import type { BaseConfig } from '@switchboard/config';
import { createLogger, type Logger } from '@switchboard/telemetry';
import { ServiceKitModule, type ServiceKitOptions } from './service-kit.module';

/** What the caller of a service's `create<Service>Module` may change: main.ts passes none, tests some. */
export interface ServiceModuleOptions {
  /** Instead of the logger the config asks for. */
  logger?: Logger;
  /** Extra modules (tests). */
  imports?: (Type | DynamicModule)[];
}

export interface ServiceModuleDefinition extends ServiceModuleOptions {
  service: string;
  config: BaseConfig;
  /** The service's schema and migrations; omit for a service without a database. */
  database?: ServiceKitOptions['database'];
  /** Feature modules (`src/<concept>/<concept>.module.ts`). */
  features?: (Type | DynamicModule)[];
  providers?: Provider[];
  exports?: DynamicModule['exports'];
}

/**
 * Every service's root module, built one way: its validated config and logger, NATS and
 * JetStream (messaging) and its own schema (persistence), all from ServiceKitModule; then its
 * feature modules and providers. Telemetry (traces, process metrics) starts in `startService`
 * before Nest does, so the root module never wires it.
 */
export function serviceModule(module: Type, definition: ServiceModuleDefinition): DynamicModule {
  const { service, config, database } = definition;
  const logger = definition.logger ?? createLogger(service, config.log.level);
  return {
    module,
    imports: [
      ServiceKitModule.forRoot({ service, config, logger, database }),
      ...(definition.features ?? []),
      ...(definition.imports ?? []),
    ],
    providers: definition.providers ?? [],
    exports: definition.exports ?? [],
  };
}
