import { Module, type DynamicModule } from '@nestjs/common';
import type { BaseConfig } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { MessagingModule } from '@switchboard/messaging';
import { PersistenceModule } from '@switchboard/persistence';

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

export interface ServiceKitOptions {
  service: string;
  config: BaseConfig;
  logger: Logger;
  /** The service's schema and migrations; omit for a service without a database. */
  database?: { schema: string; entities?: Function[]; migrations?: Function[]; poolSize?: number };
}

/** What every service imports once: its config and logger, NATS + JetStream, and its database. */
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    const { config } = options;
    return {
      module: ServiceKitModule,
      global: true,
      imports: [
        MessagingModule.forRoot({
          service: options.service,
          nats: config.nats,
          provisionOnBoot: config.database.migrateOnBoot && !config.database.migrateOnly,
        }),
        ...(options.database
          ? [
              PersistenceModule.forRoot({
                url: config.database.url,
                migrateOnBoot: config.database.migrateOnBoot || config.database.migrateOnly,
                ...options.database,
              }),
            ]
          : []),
      ],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: options.logger },
      ],
      exports: [SERVICE_CONFIG, LOGGER],
    };
  }
}
