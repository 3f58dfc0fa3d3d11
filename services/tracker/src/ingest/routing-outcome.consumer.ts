import { Inject, Injectable } from '@nestjs/common';
import { NatsNames, RoutingOutcomeSchema, type RoutingOutcome, durableConsumers } from '@switchboard/contracts';
import { Consumer, type ConsumerSpec, type Delivery, type EventConsumer, type Outcome } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { TrackerConfig } from '../tracker.config';
import { IngestService } from './ingest.service';
import { fromRoutingOutcome } from './tracked-event';

@Consumer()
@Injectable()
export class RoutingOutcomeConsumer implements EventConsumer<RoutingOutcome> {
  readonly spec: ConsumerSpec<RoutingOutcome>;

  constructor(
    names: NatsNames,
    @Inject(SERVICE_CONFIG) config: TrackerConfig,
    private readonly ingest: IngestService,
  ) {
    this.spec = {
      ...durableConsumers(names).tracker.routing,
      schema: RoutingOutcomeSchema,
      batchSize: config.batchSize,
      concurrency: 2,
      maxDeliver: config.maxDeliver,
    };
  }

  handle(batch: Delivery<RoutingOutcome>[]): Promise<Outcome[]> {
    return this.ingest.ingestBatch(batch.map((d) => fromRoutingOutcome(d.data, d.msgId)));
  }
}
