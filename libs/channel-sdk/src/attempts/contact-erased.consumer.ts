import { Inject, Injectable, Optional } from '@nestjs/common';
import { ContactErasedSchema, NatsNames, type ContactErased, senderConsumers } from '@switchboard/contracts';
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

/** Personal data a sender keeps beyond its attempts (sender-inapp's inbox), erased with them. */
export interface ContactDataEraser {
  eraseContact(contactId: string): Promise<unknown>;
}
export const CONTACT_DATA_ERASERS = Symbol('CONTACT_DATA_ERASERS');

/** sb.contact.erased.v1 → scrub the contact from this sender's attempts and whatever else it keeps. */
@Consumer()
@Injectable()
export class ContactErasedConsumer implements EventConsumer<ContactErased> {
  readonly spec: ConsumerSpec<ContactErased>;
  private readonly perMessage = eachMessage(
    async (d: Delivery<ContactErased>) => {
      await this.attempts.eraseContact(d.data.contactId);
      for (const eraser of this.erasers ?? []) await eraser.eraseContact(d.data.contactId);
    },
    { parallel: 4 },
  );

  constructor(
    names: NatsNames,
    @Inject(SENDER_SERVICE) service: string,
    private readonly attempts: AttemptsRepository,
    @Optional() @Inject(CONTACT_DATA_ERASERS) private readonly erasers?: ContactDataEraser[],
  ) {
    this.spec = {
      ...senderConsumers(names, service).contactErased,
      schema: ContactErasedSchema,
    };
  }

  handle(batch: Delivery<ContactErased>[]): Promise<Outcome[]> {
    return this.perMessage(batch);
  }
}
