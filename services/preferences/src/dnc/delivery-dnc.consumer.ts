import { Injectable } from '@nestjs/common';
import { DeliveryEventSchema, NatsNames, type DeliveryEvent } from '@switchboard/contracts';
import { Consumer, type ConsumerSpec, type Delivery, type EventConsumer } from '@switchboard/messaging';
import { DncService } from './dnc.service';

type DncEvent = 'bounced' | 'complained' | 'unsubscribed';

function spec(names: NatsNames, event: DncEvent): ConsumerSpec<DeliveryEvent> {
  return {
    durable: `preferences-dnc-${event}`,
    subject: names.subjects.delivery('*', event),
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

@Consumer()
@Injectable()
export class BouncedConsumer extends DeliveryDncConsumer {
  readonly spec: ConsumerSpec<DeliveryEvent>;
  constructor(names: NatsNames, dnc: DncService) {
    super(dnc);
    this.spec = spec(names, 'bounced');
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
