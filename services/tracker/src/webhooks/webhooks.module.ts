import { Module } from '@nestjs/common';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookSignal } from './webhook-signal';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksRpc } from './webhooks.rpc';

@Module({
  providers: [WebhookSignal, WebhooksRepository, WebhooksRpc, WebhookDispatcher],
  exports: [WebhookSignal],
})
export class WebhooksModule {}
