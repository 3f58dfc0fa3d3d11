import { Module } from '@nestjs/common';
import { WebhooksController } from './webhooks.controller';

/** /api/webhooks (DESIGN §7.5): CRUD here, storage and delivery in the tracker. */
@Module({ controllers: [WebhooksController] })
export class WebhooksModule {}
