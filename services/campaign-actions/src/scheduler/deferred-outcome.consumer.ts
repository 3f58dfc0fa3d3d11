import { Injectable } from '@nestjs/common';
import { NatsNames, RoutingOutcomeSchema, type RoutingOutcome, durableConsumers } from '@switchboard/contracts';
import {
  Consumer,
  Outcomes,
  type ConsumerSpec,
  type Delivery,
  type EventConsumer,
  type Outcome,
} from '@switchboard/messaging';
import { SchedulerService } from './scheduler.service';
import type { ScheduledSend } from './scheduled-sends.repository';

/** sb.routing.deferred.v1 → a scheduled send due at the outcome's `retryAt`. */
@Consumer()
@Injectable()
export class DeferredOutcomeConsumer implements EventConsumer<RoutingOutcome> {
  readonly spec: ConsumerSpec<RoutingOutcome>;

  constructor(
    names: NatsNames,
    private readonly scheduler: SchedulerService,
  ) {
    this.spec = {
      ...durableConsumers(names)['campaign-actions'].deferred,
      schema: RoutingOutcomeSchema,
      batchSize: 500,
    };
  }

  async handle(batch: Delivery<RoutingOutcome>[]): Promise<Outcome[]> {
    const sends: ScheduledSend[] = [];
    const outcomes = batch.map((d) => {
      const send = this.scheduler.fromDeferredOutcome(d.data);
      if (!send) return Outcomes.poison('a deferred outcome must carry retryAt and the request');
      sends.push(send);
      return Outcomes.done();
    });
    await this.scheduler.schedule(sends);
    return outcomes;
  }
}
