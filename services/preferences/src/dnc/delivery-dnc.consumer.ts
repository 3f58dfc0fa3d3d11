import { Injectable } from '@nestjs/common';
import { DeliveryEventSchema, NatsNames, type DeliveryEvent, durableConsumers } from '@switchboard/contracts';
import { Consumer, type ConsumerSpec, type Delivery, type EventConsumer } from '@switchboard/messaging';
import { ContactsService } from '../contacts/contacts.service';
import { DncService } from './dnc.service';

type DncEvent = 'bounced' | 'complained' | 'unsubscribed';

function spec(names: NatsNames, event: DncEvent): ConsumerSpec<DeliveryEvent> {
  return {
    ...durableConsumers(names).preferences.dnc[event],
    schema: DeliveryEventSchema,
    batchSize: 200,
  };
}

/** sb.delivery.*.<event>.v1 → a do-not-contact entry; one durable per subject (NATS 2.9 has no multi-filter consumers). */
abstract class DeliveryDncConsumer implements EventConsumer<DeliveryEvent> {
  abstract readonly spec: ConsumerSpec<DeliveryEvent>;

  constructor(private readonly dnc: DncService) {}

  async handle(batch: Delivery<DeliveryEvent>[]): Promise<void> {
    await this.dnc.addFromDeliveryEvents(batch.map((d) => d.data));
  }
}

/** Bounces also take dead push subscriptions and devices off the contact (not the channel). */
@Consumer()
@Injectable()
export class BouncedConsumer extends DeliveryDncConsumer {
  readonly spec: ConsumerSpec<DeliveryEvent>;
  constructor(
    names: NatsNames,
    dnc: DncService,
    private readonly contacts: ContactsService,
  ) {
    super(dnc);
    this.spec = spec(names, 'bounced');
  }

  override async handle(batch: Delivery<DeliveryEvent>[]): Promise<void> {
    await this.contacts.removeDeadPushTargets(batch.map((d) => d.data));
    await super.handle(batch);
  }
}

@Consumer()
@Injectable()
export class ComplainedConsumer extends DeliveryDncConsumer {
  readonly spec: ConsumerSpec<DeliveryEvent>;
  constructor(names: NatsNames, dnc: DncService) {
    super(dnc);
    this.spec = spec(names, 'complained');
  }
}

@Consumer()
@Injectable()
export class UnsubscribedConsumer extends DeliveryDncConsumer {
  readonly spec: ConsumerSpec<DeliveryEvent>;
  constructor(names: NatsNames, dnc: DncService) {
    super(dnc);
    this.spec = spec(names, 'unsubscribed');
  }
}

/** sb.delivery.*.delivered.v1 → ends the contact's streak of soft bounces on that channel. */
@Consumer()
@Injectable()
export class DeliveredConsumer implements EventConsumer<DeliveryEvent> {
  readonly spec: ConsumerSpec<DeliveryEvent>;
  constructor(
    names: NatsNames,
    private readonly dnc: DncService,
  ) {
    this.spec = {
      ...durableConsumers(names).preferences.bounceStreaksDelivered,
      schema: DeliveryEventSchema,
      batchSize: 500,
    };
  }

  async handle(batch: Delivery<DeliveryEvent>[]): Promise<void> {
    await this.dnc.resetBounceStreaks(batch.map((d) => d.data));
  }
}
