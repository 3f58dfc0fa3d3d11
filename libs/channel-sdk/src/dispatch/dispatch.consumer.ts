import { Inject, Injectable, type Type } from '@nestjs/common';
import { DispatchSchema, NatsNames, type Channel, type Dispatch, senderConsumers } from '@switchboard/contracts';
import { Consumer, type ConsumerSpec, type Delivery, type EventConsumer, type Outcome } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { ChannelRuntime } from '../provider/channel-runtime';
import type { SenderConfig } from '../sender.config';
import { DispatchService } from './dispatch.service';

/** Injection token of a channel's runtime. */
export const channelRuntimeToken = (channel: Channel): string => `ChannelRuntime:${channel}`;

/**
 * Redeliveries are bounded by the attempts table (SENDER_MAX_ATTEMPTS provider calls), not by
 * JetStream: a dispatch may wait out a long provider outage, nak'ed with a delay each time the
 * breaker refuses it. This only stops a handler that keeps crashing.
 */
const MAX_DELIVER = 10_000;

/** The durable consumer of `sb.dispatch.<channel>.v1` for one channel of a sender service. */
export function dispatchConsumerFor(service: string, channel: Channel): Type<EventConsumer<Dispatch>> {
  @Consumer()
  @Injectable()
  class ChannelDispatchConsumer implements EventConsumer<Dispatch> {
    readonly spec: ConsumerSpec<Dispatch>;

    constructor(
      names: NatsNames,
      @Inject(SERVICE_CONFIG) config: SenderConfig,
      @Inject(channelRuntimeToken(channel)) private readonly runtime: ChannelRuntime,
      private readonly dispatches: DispatchService,
    ) {
      this.spec = {
        ...senderConsumers(names, service).dispatch(channel),
        schema: DispatchSchema,
        batchSize: config.delivery.batchSize,
        concurrency: config.delivery.concurrency,
        maxDeliver: MAX_DELIVER,
        // A batch holds its messages for one provider call (timeout) plus content, database and publish.
        ackWaitMs: config.breaker.timeoutMs * 2 + 30_000,
      };
    }

    handle(batch: Delivery<Dispatch>[]): Promise<Outcome[]> {
      return this.dispatches.handle(this.runtime, batch);
    }
  }
  const name = `${channel.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase())}DispatchConsumer`;
  Object.defineProperty(ChannelDispatchConsumer, 'name', { value: name });
  return ChannelDispatchConsumer;
}
