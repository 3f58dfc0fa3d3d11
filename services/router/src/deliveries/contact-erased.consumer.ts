import { Injectable } from '@nestjs/common';
import { ContactErasedSchema, NatsNames, type ContactErased, durableConsumers } from '@switchboard/contracts';
import { Consumer, type ConsumerSpec, type Delivery, type EventConsumer } from '@switchboard/messaging';
import { DeliveryEventsRepository } from './delivery-events.repository';

/** sb.contact.erased.v1 → scrub the personal details of the contact's delivery events, one statement per batch. */
@Consumer()
@Injectable()
export class ContactErasedConsumer implements EventConsumer<ContactErased> {
  readonly spec: ConsumerSpec<ContactErased>;

  constructor(
    names: NatsNames,
    private readonly events: DeliveryEventsRepository,
  ) {
    this.spec = {
      ...durableConsumers(names).router.contactErased,
      schema: ContactErasedSchema,
      batchSize: 100,
    };
  }

  async handle(batch: Delivery<ContactErased>[]): Promise<void> {
    await this.events.eraseContacts(batch.map((d) => d.data.contactId));
  }
}
