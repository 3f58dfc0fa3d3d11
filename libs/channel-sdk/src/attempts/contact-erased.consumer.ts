import { Inject, Injectable } from '@nestjs/common';
import { ContactErasedSchema, NatsNames, type ContactErased } from '@switchboard/contracts';
import {
  Consumer,
  eachMessage,
  type ConsumerSpec,
  type Delivery,
  type EventConsumer,
  type Outcome,
} from '@switchboard/messaging';
import { AttemptsRepository } from './attempts.repository';

export const SENDER_SERVICE = Symbol('SENDER_SERVICE');

/** sb.contact.erased.v1 → scrub the contact from this sender's attempts. */
@Consumer()
@Injectable()
export class ContactErasedConsumer implements EventConsumer<ContactErased> {
  readonly spec: ConsumerSpec<ContactErased>;
  private readonly perMessage = eachMessage(
    (d: Delivery<ContactErased>) => this.attempts.eraseContact(d.data.contactId),
    { parallel: 4 },
  );

  constructor(
    names: NatsNames,
    @Inject(SENDER_SERVICE) service: string,
    private readonly attempts: AttemptsRepository,
  ) {
    this.spec = {
      durable: `${service}-contact-erased`,
      subject: names.subjects.contactErased(),
      schema: ContactErasedSchema,
    };
  }

  handle(batch: Delivery<ContactErased>[]): Promise<Outcome[]> {
    return this.perMessage(batch);
  }
}
