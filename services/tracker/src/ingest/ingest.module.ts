import { Module } from '@nestjs/common';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { DeliveryEventConsumer } from './delivery-event.consumer';
import { IngestRepository } from './ingest.repository';
import { IngestService } from './ingest.service';
import { RoutingOutcomeConsumer } from './routing-outcome.consumer';

@Module({
  imports: [WebhooksModule],
  providers: [IngestRepository, IngestService, RoutingOutcomeConsumer, DeliveryEventConsumer],
})
export class IngestModule {}
