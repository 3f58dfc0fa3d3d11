import { Inject, Injectable } from '@nestjs/common';
import { DeliveryEventSchema, NatsNames, type DeliveryEvent, durableConsumers } from '@switchboard/contracts';
import { Consumer, type ConsumerSpec, type Delivery, type EventConsumer, type Outcome } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { TrackerConfig } from '../tracker.config';
import { IngestService } from './ingest.service';
import { fromDeliveryEvent } from './tracked-event';

@Consumer()
@Injectable()
export class DeliveryEventConsumer implements EventConsumer<DeliveryEvent> {
  readonly spec: ConsumerSpec<DeliveryEvent>;

  constructor(
    names: NatsNames,
    @Inject(SERVICE_CONFIG) config: TrackerConfig,
    private readonly ingest: IngestService,
  ) {
    this.spec = {
      ...durableConsumers(names).tracker.delivery,
      schema: DeliveryEventSchema,
      batchSize: config.batchSize,
      concurrency: 2,
      maxDeliver: config.maxDeliver,
    };
  }

  handle(batch: Delivery<DeliveryEvent>[]): Promise<Outcome[]> {
    return this.ingest.ingestBatch(batch.map((d) => fromDeliveryEvent(d.data, d.msgId)));
  }
}
