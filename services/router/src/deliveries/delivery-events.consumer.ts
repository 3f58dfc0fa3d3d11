import { Injectable } from '@nestjs/common';
import { DeliveryEventSchema, NatsNames, type DeliveryEvent, durableConsumers } from '@switchboard/contracts';
import { Consumer, type ConsumerSpec, type Delivery, type EventConsumer } from '@switchboard/messaging';
import { DeliveriesService } from './deliveries.service';

@Consumer()
@Injectable()
export class DeliveryEventsConsumer implements EventConsumer<DeliveryEvent> {
  readonly spec: ConsumerSpec<DeliveryEvent>;

  constructor(
    names: NatsNames,
    private readonly deliveries: DeliveriesService,
  ) {
    this.spec = {
      ...durableConsumers(names).router.deliveryEvents,
      schema: DeliveryEventSchema,
      batchSize: 500,
      concurrency: 1,
    };
  }

  async handle(batch: Delivery<DeliveryEvent>[]): Promise<void> {
    await this.deliveries.record(batch);
  }
}
