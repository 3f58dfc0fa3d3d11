import { Module, type DynamicModule } from '@nestjs/common';
import { serviceModule, type ServiceModuleOptions } from '@switchboard/service-kit';
import { ActivityRepository } from './activity/activity.repository';
import {
  ClickedActivityConsumer,
  OpenedActivityConsumer,
  SentActivityConsumer,
} from './activity/delivery-activity.consumer';
import { AudienceRepository } from './audience/audience.repository';
import { AudienceRpc } from './audience/audience.rpc';
import { AudienceService } from './audience/audience.service';
import { Clock, SystemClock } from './clock/clock';
import { ContactUpsertedConsumer } from './contacts/contact-upserted.consumer';
import { ContactsRepository } from './contacts/contacts.repository';
import { ContactsRpc } from './contacts/contacts.rpc';
import { ContactsService } from './contacts/contacts.service';
import { ErasureOutbox } from './contacts/erasure.outbox';
import { DecisionsRepository } from './decisions/decisions.repository';
import { DecisionsRpc } from './decisions/decisions.rpc';
import { DecisionsService } from './decisions/decisions.service';
import {
  BouncedConsumer,
  ComplainedConsumer,
  DeliveredConsumer,
  UnsubscribedConsumer,
} from './dnc/delivery-dnc.consumer';
import { DncRepository } from './dnc/dnc.repository';
import { DncRpc } from './dnc/dnc.rpc';
import { DncService } from './dnc/dnc.service';
import { preferencesPruner } from './housekeeping/retention';
import { ImportWorker } from './imports/import.worker';
import { ImportsRepository } from './imports/imports.repository';
import { ImportsRpc } from './imports/imports.rpc';
import { ImportsService } from './imports/imports.service';
import { CreatePreferences1795386445824 } from './migrations/1795386445824-CreatePreferences';
import { ContactLocks1795390000000 } from './migrations/1795390000000-ContactLocks';
import { ReservationsInDecisions1795390000001 } from './migrations/1795390000001-ReservationsInDecisions';
import { AdvisoryDecisionLocks1795398000000 } from './migrations/1795398000000-AdvisoryDecisionLocks';
import { Segments1796620000000 } from './migrations/1796620000000-Segments';
import { SegmentFilters1796620000001 } from './migrations/1796620000001-SegmentFilters';
import { Imports1796620000002 } from './migrations/1796620000002-Imports';
import { BounceStreaks1796700000000 } from './migrations/1796700000000-BounceStreaks';
import { MauticContactShape1796710000000 } from './migrations/1796710000000-MauticContactShape';
import { AudienceCosts1796800000000 } from './migrations/1796800000000-AudienceCosts';
import type { PreferencesConfig } from './preferences.config';
import { SegmentsRepository } from './segments/segments.repository';
import { SegmentsRpc } from './segments/segments.rpc';
import { SegmentsService } from './segments/segments.service';

export const SERVICE_NAME = 'preferences';

export interface PreferencesModuleOptions extends ServiceModuleOptions {
  /** Tests inject a clock they move by hand. */
  clock?: Clock;
}

@Module({})
export class PreferencesModule {}

export function createPreferencesModule(
  config: PreferencesConfig,
  { clock, ...options }: PreferencesModuleOptions = {},
): DynamicModule {
  return serviceModule(PreferencesModule, {
    service: SERVICE_NAME,
    config,
    ...options,
    database: {
      schema: 'preferences',
      migrations: [
        CreatePreferences1795386445824,
        ContactLocks1795390000000,
        ReservationsInDecisions1795390000001,
        AdvisoryDecisionLocks1795398000000,
        Segments1796620000000,
        SegmentFilters1796620000001,
        Imports1796620000002,
        BounceStreaks1796700000000,
        MauticContactShape1796710000000,
        AudienceCosts1796800000000,
      ],
    },
    providers: [
      { provide: Clock, useValue: clock ?? new SystemClock() },
      ContactsRepository,
      ContactsService,
      ErasureOutbox,
      ContactsRpc,
      ContactUpsertedConsumer,
      DncRepository,
      DncService,
      DncRpc,
      BouncedConsumer,
      ComplainedConsumer,
      UnsubscribedConsumer,
      DeliveredConsumer,
      DecisionsRepository,
      DecisionsService,
      DecisionsRpc,
      preferencesPruner,
      SegmentsRepository,
      SegmentsService,
      AudienceRepository,
      AudienceService,
      AudienceRpc,
      SegmentsRpc,
      ActivityRepository,
      SentActivityConsumer,
      OpenedActivityConsumer,
      ClickedActivityConsumer,
      ImportsRepository,
      ImportWorker,
      ImportsService,
      ImportsRpc,
    ],
  });
}
