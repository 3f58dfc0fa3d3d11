import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createServiceDataSource, ensureDatabase, migrate, type ServiceDataSourceOptions } from './data-source';

export interface PersistenceOptions extends ServiceDataSourceOptions {
  /** Apply migrations while the module starts (the default); `npm run migrate` does it otherwise. */
  migrateOnBoot?: boolean;
}

@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}

/** One DataSource per service, on the service's own schema, migrated before the app starts. */
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        {
          provide: DataSource,
          useFactory: async () => {
            await ensureDatabase(options.url);
            const ds = createServiceDataSource(options);
            await ds.initialize();
            if (options.migrateOnBoot ?? true) await migrate(ds, options.schema);
            return ds;
          },
        },
        DataSourceCloser,
      ],
      exports: [DataSource],
    };
  }
}
