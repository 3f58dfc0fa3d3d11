import { Injectable } from '@nestjs/common';
import { DeliveryEventSchema, NatsNames, type DeliveryEvent, durableConsumers } from '@switchboard/contracts';
import { Consumer, type ConsumerSpec, type Delivery, type EventConsumer } from '@switchboard/messaging';
import { ActivityRepository } from './activity.repository';

type ActivityEvent = 'sent' | 'opened' | 'clicked';

/**
 * sb.delivery.*.<sent|opened|clicked>.v1 → the activity summary dynamic segments filter on. One
 * durable per subject (NATS 2.9 has no multi-filter consumers).
 */
abstract class DeliveryActivityConsumer implements EventConsumer<DeliveryEvent> {
  readonly spec: ConsumerSpec<DeliveryEvent>;

  constructor(
    names: NatsNames,
    private readonly activity: ActivityRepository,
    private readonly event: ActivityEvent,
  ) {
    this.spec = {
      ...durableConsumers(names).preferences.activity[event],
      schema: DeliveryEventSchema,
      batchSize: 500,
    };
  }

  async handle(batch: Delivery<DeliveryEvent>[]): Promise<void> {
    await this.activity.record(
      batch.map(({ data }) => ({
        contactId: data.contactId,
        kind: this.event,
        messageId: data.messageId,
        at: data.occurredAt,
      })),
    );
  }
}

@Consumer()
@Injectable()
export class SentActivityConsumer extends DeliveryActivityConsumer {
  constructor(names: NatsNames, activity: ActivityRepository) {
    super(names, activity, 'sent');
  }
}

@Consumer()
@Injectable()
export class OpenedActivityConsumer extends DeliveryActivityConsumer {
  constructor(names: NatsNames, activity: ActivityRepository) {
    super(names, activity, 'opened');
  }
}

@Consumer()
@Injectable()
export class ClickedActivityConsumer extends DeliveryActivityConsumer {
  constructor(names: NatsNames, activity: ActivityRepository) {
    super(names, activity, 'clicked');
  }
}
