import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  feedbackReportedMsgId,
  NatsNames,
  type Channel,
  type DeliveryEvent,
  type FeedbackReport,
  type FeedbackReported,
} from '@switchboard/contracts';
import { EventPublisher } from '@switchboard/messaging';
import { AttemptsRepository } from '../attempts/attempts.repository';

/** What a provider gets to report feedback with (`ProviderDeps.feedback`). */
export interface FeedbackReporter {
  /**
   * Reports to match to their dispatches (an SMPP receipt, a DSN): stored on the channel's
   * feedback stream before this resolves, then matched by the channel's sender, which waits for a
   * dispatch not recorded yet.
   */
  submit(channel: Channel, reports: FeedbackReport[]): Promise<void>;
}

/** Provider message ids are compared without the angle brackets of an RFC 5322 Message-ID. */
const bare = (id: string) => id.trim().replace(/^<(.*)>$/, '$1');

/**
 * Provider feedback → delivery events (DESIGN §6). Each report finds its dispatch in the attempts
 * table (by dispatch id, or by the provider's message id the `sent` event recorded), and the new
 * event copies that dispatch's references. Idempotency: delivered and complained once per
 * dispatch; a bounce per dispatch and report (a delayed DSN, then the final one, are two).
 */
@Injectable()
export class FeedbackService implements FeedbackReporter {
  constructor(
    private readonly attempts: AttemptsRepository,
    private readonly publisher: EventPublisher,
    private readonly names: NatsNames,
  ) {}

  async submit(channel: Channel, reports: FeedbackReport[]): Promise<void> {
    const receivedAt = new Date().toISOString();
    await this.publisher.publishAll(
      reports.map((report) => {
        const payload: FeedbackReported = { ...report, channel, receivedAt };
        return {
          subject: this.names.subjects.feedbackReported(channel),
          payload,
          msgId: feedbackReportedMsgId(payload),
        };
      }),
    );
  }

  /**
   * Publishes the delivery event of every report whose dispatch is recorded as sent or failed;
   * answers, per report, whether it was (the others name a dispatch not recorded yet, or none).
   */
  async match(reports: FeedbackReport[]): Promise<boolean[]> {
    const byDispatch = await this.attempts.find([
      ...new Set(reports.flatMap((r) => (r.dispatchId ? [r.dispatchId] : []))),
    ]);
    const providerIds = [
      ...new Set(
        reports.flatMap((r) =>
          r.providerMessageId && !r.dispatchId
            ? [r.providerMessageId, bare(r.providerMessageId), `<${bare(r.providerMessageId)}>`]
            : [],
        ),
      ),
    ];
    const byProviderId = await this.attempts.findByProviderMessageIds(providerIds);
    const events: DeliveryEvent[] = [];
    const matched = reports.map((report) => {
      const recorded = report.dispatchId
        ? byDispatch.get(report.dispatchId)?.event
        : (byProviderId.get(report.providerMessageId!) ??
          byProviderId.get(bare(report.providerMessageId!)) ??
          byProviderId.get(`<${bare(report.providerMessageId!)}>`));
      if (!recorded) return false;
      events.push(feedbackEvent(recorded, report, recorded.provider));
      return true;
    });
    await this.publish(events);
    return matched;
  }

  private async publish(events: DeliveryEvent[]): Promise<void> {
    await this.publisher.publishAll(
      events.map((event) => ({
        subject: this.names.subjects.delivery(event.channel, event.event),
        payload: event,
        msgId: event.eventId!,
      })),
    );
  }
}

/** The delivery event of a report, with the references of the dispatch's recorded event. */
export function feedbackEvent(
  recorded: DeliveryEvent,
  report: Omit<FeedbackReport, 'dispatchId' | 'providerMessageId'>,
  provider: string | undefined,
): DeliveryEvent {
  const { event } = report;
  const bounce = event === 'bounced' ? (report.bounce ?? 'hard') : undefined;
  // Two dead subscriptions of one dispatch are two bounces.
  const reportKey = report.reportId ?? report.removedAddress;
  const discriminator =
    event === 'bounced'
      ? `${bounce}:${reportKey ? createHash('sha256').update(reportKey).digest('hex').slice(0, 16) : 'once'}`
      : '';
  const eventId = `${recorded.dispatchId}:${event}${discriminator ? `:${discriminator}` : ''}`;
  const diagnostic = report.diagnostic?.trim() || undefined;
  const out: DeliveryEvent = {
    eventId,
    dispatchId: recorded.dispatchId,
    sendId: recorded.sendId,
    messageId: recorded.messageId,
    contactId: recorded.contactId,
    channel: recorded.channel,
    event,
    occurredAt: report.occurredAt ?? new Date().toISOString(),
    ...(provider ? { provider } : {}),
    ...(recorded.providerMessageId ? { providerMessageId: recorded.providerMessageId } : {}),
    ...(recorded.campaignId !== undefined ? { campaignId: recorded.campaignId } : {}),
    ...(recorded.campaignEventId !== undefined ? { campaignEventId: recorded.campaignEventId } : {}),
    ...(recorded.shipmentId !== undefined ? { shipmentId: recorded.shipmentId } : {}),
    meta: {
      source: report.source,
      ...(bounce ? { bounce } : {}),
      ...(report.code ? { code: report.code } : {}),
      ...(diagnostic ? { diagnostic } : {}),
      ...(report.removedAddress ? { removedAddress: report.removedAddress } : {}),
    },
  };
  if (event === 'bounced' || event === 'failed') {
    out.error = {
      code: report.code ?? (bounce ? `${bounce}_bounce` : 'provider_failed'),
      message: diagnostic ?? (bounce ? `${bounce} bounce` : 'the provider could not deliver it'),
      permanent: event === 'failed' || bounce === 'hard',
    };
  }
  return out;
}
