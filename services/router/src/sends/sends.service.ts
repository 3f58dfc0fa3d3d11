import { Injectable } from '@nestjs/common';
import { dispatchStatus, DomainError, type SendRecord } from '@switchboard/contracts';
import { DeliveryEventsRepository } from '../deliveries/delivery-events.repository';
import { DecisionsRepository } from '../routing/decisions.repository';

/** The decision record of one send: every decision, the dispatches and their delivery events. */
@Injectable()
export class SendsService {
  constructor(
    private readonly decisions: DecisionsRepository,
    private readonly events: DeliveryEventsRepository,
  ) {}

  async get(sendId: string): Promise<SendRecord> {
    const [decisions, events] = await Promise.all([this.decisions.findBySend(sendId), this.events.findBySend(sendId)]);
    const latest = decisions.at(-1);
    if (!latest) throw DomainError.notFound();
    const first = decisions[0];
    const dispatches = decisions
      .filter((d) => d.dispatchId !== null && d.channel !== null)
      .map((d) => {
        const own = events.filter((e) => e.dispatchId === d.dispatchId);
        return {
          dispatchId: d.dispatchId!,
          channel: d.channel!,
          contentId: d.contentId,
          attempt: d.attempt,
          dispatchedAt: d.decidedAt,
          // Each later event repeats the attempts row's count, so the largest is the dispatch's.
          resentAfterCrash: Math.max(0, ...own.map((e) => e.resentAfterCrash)),
          status: dispatchStatus(own),
          events: own.map((e) => ({
            event: e.event,
            occurredAt: e.occurredAt,
            error: e.error,
            url: e.url,
            provider: e.provider,
            ...(e.targetRemoved ? { targetRemoved: true } : {}),
            ...(e.variant !== null ? { variant: e.variant } : {}),
            ...(e.dynamicContent !== null ? { dynamicContent: e.dynamicContent } : {}),
          })),
          variant: own.find((e) => e.event === 'sent' || e.event === 'failed')?.variant ?? null,
        };
      });
    return {
      sendId,
      messageId: first.messageId,
      contactId: first.contactId,
      campaignId: first.campaignId,
      campaignEventId: first.campaignEventId,
      shipmentId: first.shipmentId,
      traceId: first.traceId,
      requestedAt: first.requestedAt,
      expiresAt: first.expiresAt,
      channels: first.channels,
      status: latest.outcome,
      channel: latest.channel,
      reason: latest.reason,
      retryAt: latest.retryAt,
      candidates: latest.candidates,
      skipped: latest.skipped,
      attempts: latest.attempt + 1,
      deferrals: decisions.filter((d) => d.outcome === 'deferred').length,
      decisions: decisions.map((d) => ({
        attempt: d.attempt,
        deferrals: d.deferrals,
        outcome: d.outcome,
        channel: d.channel,
        dispatchId: d.dispatchId,
        candidates: d.candidates,
        skipped: d.skipped,
        retryAt: d.retryAt,
        reason: d.reason,
        decidedAt: d.decidedAt,
      })),
      dispatches,
      resentAfterCrash: dispatches.reduce((sum, d) => sum + d.resentAfterCrash, 0),
    };
  }
}
