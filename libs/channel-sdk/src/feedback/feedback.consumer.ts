import { Inject, Injectable, type Type } from '@nestjs/common';
import {
  FeedbackReportedSchema,
  NatsNames,
  type Channel,
  type FeedbackReported,
  senderConsumers,
} from '@switchboard/contracts';
import {
  Consumer,
  Outcomes,
  type ConsumerSpec,
  type Delivery,
  type EventConsumer,
  type Outcome,
} from '@switchboard/messaging';
import { jitter } from '@switchboard/resilience';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import type { SenderConfig } from '../sender.config';
import { FeedbackService } from './feedback.service';

/** The wait is bounded by SENDER_FEEDBACK_WAIT_MS from `receivedAt`, not by a count of deliveries. */
const MAX_DELIVER = 10_000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

const named = (r: FeedbackReported) =>
  r.dispatchId ? `dispatch ${r.dispatchId}` : `provider message id ${r.providerMessageId}`;

/**
 * The durable consumer of `sb.feedback.<channel>.reported.v1` for one channel of a sender: matches
 * each report to its dispatch and publishes the delivery event. A provider may report before the
 * sender has recorded the provider's answer (a Twilio callback that outruns the API response, an
 * SMPP receipt racing the submit_sm_resp's record), so a report that matches nothing is retried
 * with a growing delay until SENDER_FEEDBACK_WAIT_MS after it was received, then dead-lettered
 * with the reason.
 */
export function feedbackConsumerFor(service: string, channel: Channel): Type<EventConsumer<FeedbackReported>> {
  @Consumer()
  @Injectable()
  class ChannelFeedbackConsumer implements EventConsumer<FeedbackReported> {
    readonly spec: ConsumerSpec<FeedbackReported>;

    constructor(
      names: NatsNames,
      @Inject(SERVICE_CONFIG) private readonly config: SenderConfig,
      private readonly feedback: FeedbackService,
      @Inject(LOGGER) private readonly logger: Logger,
    ) {
      this.spec = {
        ...senderConsumers(names, service).feedback(channel),
        schema: FeedbackReportedSchema,
        batchSize: 200,
        maxDeliver: MAX_DELIVER,
      };
    }

    async handle(batch: Delivery<FeedbackReported>[]): Promise<Outcome[]> {
      const matched = await this.feedback.match(batch.map((d) => d.data));
      return batch.map((d, i) => (matched[i] ? Outcomes.done() : this.unmatched(d)));
    }

    private unmatched(d: Delivery<FeedbackReported>): Outcome {
      const report = d.data;
      const waited = Date.now() - Date.parse(report.receivedAt);
      const left = this.config.feedback.waitMs - waited;
      if (left <= 0) {
        return Outcomes.poison(
          `no ${channel} dispatch of ${service} matches ${named(report)} (${report.source} ${report.event}) ` +
            `after ${Math.round(waited / 1000)} s: never recorded here, older than the attempts' retention, or another environment's`,
        );
      }
      const delay = Math.min(FIRST_RETRY_MS * 2 ** Math.min(d.deliveryCount - 1, 16), MAX_RETRY_MS, left);
      this.logger.debug(
        { report: named(report), deliveryCount: d.deliveryCount, delay },
        'feedback waits for its dispatch',
      );
      return Outcomes.retry(Math.max(100, jitter(delay)), `${named(report)} is not recorded yet`);
    }
  }
  const name = `${channel.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase())}FeedbackConsumer`;
  Object.defineProperty(ChannelFeedbackConsumer, 'name', { value: name });
  return ChannelFeedbackConsumer;
}
