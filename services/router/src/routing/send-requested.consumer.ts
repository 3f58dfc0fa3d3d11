import { Inject, Injectable } from '@nestjs/common';
import {
  acceptsSendRequestedAsIs,
  durableConsumers,
  NatsNames,
  SendRequestedSchema,
  type SendRequested,
} from '@switchboard/contracts';
import { Consumer, type ConsumerSpec, type Delivery, type EventConsumer, type Outcome } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { traceIdOf } from '@switchboard/telemetry';
import type { RouterConfig } from '../router.config';
import { RoutingService } from './routing.service';

@Consumer()
@Injectable()
export class SendRequestedConsumer implements EventConsumer<SendRequested> {
  readonly spec: ConsumerSpec<SendRequested>;

  constructor(
    names: NatsNames,
    @Inject(SERVICE_CONFIG) config: RouterConfig,
    private readonly routing: RoutingService,
  ) {
    this.spec = {
      ...durableConsumers(names).router.sendRequested,
      schema: SendRequestedSchema,
      accepts: acceptsSendRequestedAsIs,
      batchSize: config.routing.batchSize,
      concurrency: config.routing.concurrency,
      ackWaitMs: config.routing.ackWaitMs,
    };
  }

  handle(batch: Delivery<SendRequested>[]): Promise<Outcome[]> {
    const traceIds = new Map<string, string>();
    for (const d of batch) {
      const traceId = traceIdOf(d.headers);
      if (traceId) traceIds.set(d.data.sendId, traceId);
    }
    return this.routing.route(
      batch.map((d) => d.data),
      traceIds,
    );
  }
}
