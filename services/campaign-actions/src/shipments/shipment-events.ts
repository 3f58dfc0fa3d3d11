import { Injectable } from '@nestjs/common';
import { NatsNames, ShipmentCanceledSchema } from '@switchboard/contracts';
import { EventPublisher } from '@switchboard/messaging';

/** Tells the router which shipments were canceled, so their sends still queued end `failed`/`canceled`. */
@Injectable()
export class ShipmentEvents {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly names: NatsNames,
  ) {}

  async canceled(shipmentIds: string[]): Promise<void> {
    await this.publisher.publish({
      subject: this.names.subjects.shipmentCanceled(),
      msgId: `canceled:${shipmentIds.join(',')}`.slice(0, 200),
      schema: ShipmentCanceledSchema,
      payload: { shipmentIds, canceledAt: new Date().toISOString() },
    });
  }
}
