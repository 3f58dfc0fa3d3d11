import { Injectable } from '@nestjs/common';
import { DispatchSchema, NatsNames, type Dispatch, durableConsumers } from '@switchboard/contracts';
import { Consumer, type ConsumerSpec, type Delivery, type EventConsumer } from '@switchboard/messaging';
import { labelOf, mergeLabels } from './contact-label';
import { ContactsRepository } from './contacts.repository';

/** Keeps each contact's email and name (for the deliveries search) from the dispatches that reach them. */
@Consumer()
@Injectable()
export class DispatchLabelConsumer implements EventConsumer<Dispatch> {
  readonly spec: ConsumerSpec<Dispatch>;

  constructor(
    names: NatsNames,
    private readonly contacts: ContactsRepository,
  ) {
    this.spec = {
      ...durableConsumers(names).tracker.dispatchLabels,
      schema: DispatchSchema,
      batchSize: 500,
    };
  }

  async handle(batch: Delivery<Dispatch>[]): Promise<void> {
    await this.contacts.upsertLabels(mergeLabels(batch.map((d) => labelOf(d.data))));
  }
}
