import { Injectable } from '@nestjs/common';
import { ContactUpsertedSchema, NatsNames, type ContactUpserted, durableConsumers } from '@switchboard/contracts';
import {
  Consumer,
  Outcomes,
  type ConsumerSpec,
  type Delivery,
  type EventConsumer,
  type Outcome,
} from '@switchboard/messaging';
import { ContactsService } from './contacts.service';

/** sb.contact.upserted.v1 (CRM): each micro-batch is merge-upserted in one transaction. */
@Consumer()
@Injectable()
export class ContactUpsertedConsumer implements EventConsumer<ContactUpserted> {
  readonly spec: ConsumerSpec<ContactUpserted>;

  constructor(
    names: NatsNames,
    private readonly contacts: ContactsService,
  ) {
    this.spec = {
      ...durableConsumers(names).preferences.contactUpserted,
      schema: ContactUpsertedSchema,
      batchSize: 200,
    };
  }

  async handle(batch: Delivery<ContactUpserted>[]): Promise<Outcome[]> {
    const results = await this.contacts.upsertMany(
      batch.map((d) => ({ id: d.data.id, input: d.data })),
      'merge',
    );
    return results.map((r) => (r.error ? Outcomes.poison(r.error.message) : Outcomes.done()));
  }
}
