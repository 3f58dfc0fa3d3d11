import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { serviceModule, type ServiceModuleOptions } from '@switchboard/service-kit';
import { AdminUiModule } from './admin-ui/admin-ui.module';
import { AuthModule } from './auth/auth.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { ChannelsModule } from './channels/channels.module';
import { ContactsModule } from './contacts/contacts.module';
import { ContentModule } from './content/content.module';
import { DocsModule } from './docs/docs.module';
import { InboxModule } from './inbox/inbox.module';
import { EmailSendsModule } from './email-sends/email-sends.module';
import type { GatewayConfig } from './gateway.config';
import { HttpModule } from './http';
import { IncentivesModule } from './incentives/incentives.module';
import { ShortLinksModule } from './shortlinks/short-links.module';
import { GATEWAY_MIGRATIONS } from './migrations';
import { MessagesModule } from './messages/messages.module';
import { SendsModule } from './sends/sends.module';
import { SegmentsModule } from './segments/segments.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { StatsModule } from './stats/stats.module';
import { TemplatesModule } from './templates/templates.module';
import { TrackingModule } from './tracking/tracking.module';
import { UiVendorModule } from './ui-vendor/ui-vendor.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { ProviderWebhooksModule } from './provider-webhooks/provider-webhooks.module';

/**
 * The gateway: the only HTTP entry. Each concept is a module under `src/<concept>/`; add yours to
 * FEATURE_MODULES (one line). Inject the config with `@Inject(SERVICE_CONFIG) config: GatewayConfig`.
 */
const FEATURE_MODULES: (Type | DynamicModule)[] = [
  AuthModule,
  DocsModule,
  MessagesModule,
  ContentModule,
  TemplatesModule,
  ChannelsModule,
  SendsModule,
  ContactsModule,
  DeliveriesModule,
  StatsModule,
  TrackingModule,
  WebhooksModule,
  CampaignsModule,
  ProviderWebhooksModule,
  AdminUiModule,
  SegmentsModule,
  InboxModule,
  IncentivesModule,
  EmailSendsModule,
  UiVendorModule,
  ShortLinksModule,
];

@Module({})
export class GatewayModule {}

export function createGatewayModule(config: GatewayConfig, options: ServiceModuleOptions = {}): DynamicModule {
  return serviceModule(GatewayModule, {
    service: 'gateway',
    config,
    ...options,
    database: { schema: 'gateway', migrations: GATEWAY_MIGRATIONS },
    features: [HttpModule, ...FEATURE_MODULES],
  });
}
