import { Inject, Injectable } from '@nestjs/common';
import {
  isTargetRemoval,
  NatsNames,
  SendRequestedSchema,
  type Channel,
  type DeliveryEvent,
  type SendRequested,
  type Skipped,
} from '@switchboard/contracts';
import { EventPublisher, type Delivery, type OutgoingEvent } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { DecisionsRepository } from '../routing/decisions.repository';
import { DeliveryEventsRepository } from './delivery-events.repository';

/**
 * A permanent failure re-routes (DESIGN §4.7): a `failed` the sender or the provider called
 * permanent, and a hard bounce, which arrives after `sent` (a DSN, a provider webhook) but means
 * just as surely that the message never reached the contact on that channel. A soft bounce is the
 * provider retrying; a bounce that only removed one dead push target leaves the others working
 * (when none took the message, the sender's permanent `failed` re-routes it).
 */
export function isPermanentFailure(e: DeliveryEvent): boolean {
  if (e.event === 'failed') return e.error?.permanent === true;
  if (e.event !== 'bounced' || isTargetRemoval(e)) return false;
  const kind = e.meta?.bounce ?? (e.error?.permanent === false ? 'soft' : 'hard');
  return kind === 'hard';
}

/** A sender's content error that makes the channel a skip (DESIGN §7.2: an incentive pool empty or expired). */
export const CONTENT_UNAVAILABLE = 'content_unavailable';

/**
 * What the next attempt must report as skipped rather than `excluded`: the channels earlier
 * attempts carried so, and this failure when its sender could not make the content.
 */
export function carriedSkips(
  record: { skipped: Skipped[]; excludeChannels: Channel[] },
  failure: DeliveryEvent,
): NonNullable<SendRequested['skippedBefore']> {
  const carried = record.skipped.flatMap((s) =>
    s.reason === CONTENT_UNAVAILABLE && record.excludeChannels.includes(s.channel)
      ? [{ channel: s.channel, reason: CONTENT_UNAVAILABLE, ...(s.detail ? { detail: s.detail } : {}) } as const]
      : [],
  );
  if (failure.event === 'failed' && failure.error?.code === CONTENT_UNAVAILABLE)
    carried.push({ channel: failure.channel, reason: CONTENT_UNAVAILABLE, detail: failure.error.message });
  return carried;
}

/**
 * Keeps each dispatch's delivery events for the decision record, and re-routes a send whose
 * dispatch failed permanently (DESIGN §4 step 7): the same send, the next attempt, every channel
 * tried so far excluded. The new request takes the ordinary path through the send stream.
 */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly events: DeliveryEventsRepository,
    private readonly decisions: DecisionsRepository,
    private readonly publisher: EventPublisher,
    private readonly names: NatsNames,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async record(batch: Delivery<DeliveryEvent>[]): Promise<void> {
    await this.events.insert(
      batch.map((d) => ({
        key: d.msgId ?? d.data.eventId ?? `${d.data.dispatchId}:${d.data.event}:${d.data.occurredAt}`,
        event: d.data,
      })),
    );
    const permanent = batch.map((d) => d.data).filter(isPermanentFailure);
    if (permanent.length === 0) return;

    const dispatched = await this.decisions.findDispatched(permanent);
    const reroutes: OutgoingEvent<SendRequested>[] = [];
    for (const failure of permanent) {
      const record = dispatched.get(failure.dispatchId);
      if (!record) {
        this.logger.warn(
          { dispatchId: failure.dispatchId, sendId: failure.sendId },
          'permanent failure of an unknown dispatch: not re-routed',
        );
        continue;
      }
      if (record.attempt !== record.latestAttempt) continue; // re-routed already
      const attempt = record.attempt + 1;
      const request: SendRequested = {
        sendId: record.sendId,
        messageId: record.messageId,
        contactId: record.contactId,
        requestedAt: record.requestedAt,
        expiresAt: record.expiresAt,
        excludeChannels: [...new Set([...record.triedChannels, failure.channel])] as Channel[],
        deferrals: record.deferrals,
        attempt,
      };
      const skippedBefore = carriedSkips(record, failure);
      if (skippedBefore.length) request.skippedBefore = skippedBefore;
      if (record.channels) request.channels = record.channels;
      if (record.campaignId !== null) request.campaignId = record.campaignId;
      if (record.campaignEventId !== null) request.campaignEventId = record.campaignEventId;
      if (record.shipmentId !== null) request.shipmentId = record.shipmentId;
      if (record.tokens !== null) request.tokens = record.tokens;
      reroutes.push({
        subject: this.names.subjects.sendRequested(),
        msgId: `${record.sendId}:a${attempt}`,
        schema: SendRequestedSchema,
        payload: request,
      });
    }
    await this.publisher.publishAll(reroutes);
  }
}
