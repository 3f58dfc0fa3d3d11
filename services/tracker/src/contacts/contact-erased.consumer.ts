import { Injectable } from '@nestjs/common';
import { ContactErasedSchema, NatsNames, type ContactErased, durableConsumers } from '@switchboard/contracts';
import { Consumer, eachMessage, type ConsumerSpec, type Delivery, type EventConsumer } from '@switchboard/messaging';
import type { Outcome } from '@switchboard/messaging';
import { ContactsRepository } from './contacts.repository';

@Consumer()
@Injectable()
export class ContactErasedConsumer implements EventConsumer<ContactErased> {
  readonly spec: ConsumerSpec<ContactErased>;
  private readonly perMessage = eachMessage<Delivery<ContactErased>>(
    (d) => this.contacts.erase(d.data.contactId, d.data.erasedAt),
    {
      parallel: 1,
    },
  );

  constructor(
    names: NatsNames,
    private readonly contacts: ContactsRepository,
  ) {
    this.spec = {
      ...durableConsumers(names).tracker.contactErased,
      schema: ContactErasedSchema,
      batchSize: 20,
    };
  }

  handle(batch: Delivery<ContactErased>[]): Promise<Outcome[]> {
    return this.perMessage(batch);
  }
}
