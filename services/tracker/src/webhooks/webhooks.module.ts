import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { TrackerConfig } from '../tracker.config';
import { AddressPolicy } from './address-policy';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookSignal } from './webhook-signal';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksRpc } from './webhooks.rpc';

@Module({
  providers: [
    WebhookSignal,
    WebhooksRepository,
    WebhooksRpc,
    WebhookDispatcher,
    {
      provide: AddressPolicy,
      inject: [SERVICE_CONFIG],
      useFactory: (config: TrackerConfig) => new AddressPolicy(config.webhooks.allowHosts),
    },
  ],
  exports: [WebhookSignal],
})
export class WebhooksModule {}
