import { Module, type DynamicModule } from '@nestjs/common';
import { serviceModule, type ServiceModuleOptions } from '@switchboard/service-kit';
import { ContactsModule } from './contacts/contacts.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { IngestModule } from './ingest/ingest.module';
import { CreateTracker1795386567376 } from './migrations/1795386567376-CreateTracker';
import { UnsubscriptionsIndex1795390000000 } from './migrations/1795390000000-UnsubscriptionsIndex';
import { SearchWords1795393000000 } from './migrations/1795393000000-SearchWords';
import { CoveringSearchIndex1795394000000 } from './migrations/1795394000000-CoveringSearchIndex';
import { HashedSearch1795397000000 } from './migrations/1795397000000-HashedSearch';
import { NewestSendPerWord1795399000000 } from './migrations/1795399000000-NewestSendPerWord';
import { ShipmentIndex1795400000000 } from './migrations/1795400000000-ShipmentIndex';
import { CreateShortLinks1797000000200 } from './migrations/1797000000200-CreateShortLinks';
import { DeliveryVariants1797100000300 } from './migrations/1797100000300-DeliveryVariants';
import { ShortLinksModule } from './shortlinks/short-links.module';
import { StatsModule } from './stats/stats.module';
import type { TrackerConfig } from './tracker.config';
import { WebhooksModule } from './webhooks/webhooks.module';

export const TRACKER_MIGRATIONS = [
  CreateTracker1795386567376,
  UnsubscriptionsIndex1795390000000,
  SearchWords1795393000000,
  CoveringSearchIndex1795394000000,
  HashedSearch1795397000000,
  NewestSendPerWord1795399000000,
  ShipmentIndex1795400000000,
  CreateShortLinks1797000000200,
  DeliveryVariants1797100000300,
];

@Module({})
export class TrackerModule {}

export function createTrackerModule(config: TrackerConfig, options: ServiceModuleOptions = {}): DynamicModule {
  return serviceModule(TrackerModule, {
    service: 'tracker',
    config,
    ...options,
    database: { schema: 'tracker', migrations: TRACKER_MIGRATIONS },
    features: [IngestModule, DeliveriesModule, StatsModule, ContactsModule, WebhooksModule, ShortLinksModule],
  });
}
