import { Injectable } from '@nestjs/common';
import { NatsNames, ShipmentCanceledSchema, type ShipmentCanceled, durableConsumers } from '@switchboard/contracts';
import { Consumer, type ConsumerSpec, type Delivery, type EventConsumer } from '@switchboard/messaging';
import { CanceledShipmentsRepository } from './canceled-shipments.repository';

/** sb.campaign.shipment.canceled.v1 → router.canceled_shipments. */
@Consumer()
@Injectable()
export class ShipmentCanceledConsumer implements EventConsumer<ShipmentCanceled> {
  readonly spec: ConsumerSpec<ShipmentCanceled>;

  constructor(
    names: NatsNames,
    private readonly canceled: CanceledShipmentsRepository,
  ) {
    this.spec = {
      ...durableConsumers(names).router.shipmentCanceled,
      schema: ShipmentCanceledSchema,
      batchSize: 50,
    };
  }

  async handle(batch: Delivery<ShipmentCanceled>[]): Promise<void> {
    for (const d of batch) await this.canceled.add(d.data.shipmentIds, d.data.canceledAt);
  }
}
