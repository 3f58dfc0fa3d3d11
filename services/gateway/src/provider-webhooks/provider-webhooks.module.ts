import { Module } from '@nestjs/common';
import { ProviderWebhooksController } from './provider-webhooks.controller';
import { ProviderWebhooksService } from './provider-webhooks.service';

/** Provider feedback webhooks (DESIGN §6): Twilio status callbacks, SendGrid events, SES through SNS. */
@Module({ controllers: [ProviderWebhooksController], providers: [ProviderWebhooksService] })
export class ProviderWebhooksModule {}
