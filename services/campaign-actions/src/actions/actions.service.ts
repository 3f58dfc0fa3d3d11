import { Inject, Injectable } from '@nestjs/common';
import {
  NatsNames,
  preferencesContactsBatchUpsert,
  type CampaignAction,
  type SendRequested,
} from '@switchboard/contracts';
import { BatchPublisher, outcomeOfError, Outcomes, RpcClient, type Outcome } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { CampaignActionsConfig } from '../campaign-actions.config';
import type { ScheduledSend } from '../scheduler/scheduled-sends.repository';
import { SchedulerService } from '../scheduler/scheduler.service';
import { sendIdOf } from './send-id';

const RETRY_MS = 2_000;

/**
 * Expands campaign actions into one send request per contact (DESIGN §5): inline contact fields
 * are upserted through preferences first (one call per action), then the requests are emitted in
 * batch messages (each item keeps its deterministic send id), or scheduled when `sendAt` is still ahead. An unknown
 * message is not checked here: the router answers every request for it with `failed`/`not_found`.
 */
@Injectable()
export class ActionsService {
  constructor(
    private readonly rpc: RpcClient,
    private readonly batches: BatchPublisher,
    private readonly scheduler: SchedulerService,
    private readonly names: NatsNames,
    @Inject(SERVICE_CONFIG) private readonly config: CampaignActionsConfig,
  ) {}

  async expand(actions: CampaignAction[]): Promise<Outcome[]> {
    const now = new Date();
    const upserts = await Promise.allSettled(actions.map((a) => this.upsertContacts(a)));
    const outcomes: Outcome[] = [];
    const emit: SendRequested[] = [];
    const later: ScheduledSend[] = [];
    actions.forEach((action, i) => {
      const upsert = upserts[i];
      if (upsert.status === 'rejected') {
        outcomes.push(outcomeOfError(upsert.reason, RETRY_MS));
        return;
      }
      outcomes.push(Outcomes.done());
      const sendAt = action.sendAt ? new Date(action.sendAt) : undefined;
      const scheduled = sendAt !== undefined && sendAt > now;
      const requests = this.requestsOf(action, scheduled ? sendAt : now);
      if (!scheduled) {
        for (const request of requests) emit.push(request);
        return;
      }
      for (const request of requests)
        later.push({
          sendId: request.sendId,
          attempt: 0,
          deferrals: 0,
          msgId: request.sendId,
          dueAt: request.requestedAt,
          payload: request,
        });
    });
    await this.scheduler.schedule(later);
    await this.publishRequests(emit);
    return outcomes;
  }

  /**
   * The one way send requests leave campaign-actions (actions and broadcast shipments alike). Built
   * from validated input: not checked against the schema again (the hot path of every campaign),
   * and published in batch messages (DESIGN §5 "Batching"), each item keeping its send id.
   */
  async publishRequests(requests: SendRequested[]): Promise<void> {
    await this.batches.publish(this.names.subjects.sendRequested(), requests);
  }

  private requestsOf(action: CampaignAction, requestedAt: Date): SendRequested[] {
    // Formatted once per action: a toISOString per contact was ~half of this loop's CPU (0.8 µs a contact).
    const requested = requestedAt.toISOString();
    const expiresAt = new Date(requestedAt.getTime() + this.config.actions.sendExpiresAfterMs).toISOString();
    const contactIds = [...new Set(action.contacts.map((c) => c.id))];
    return contactIds.map((contactId) => {
      const request: SendRequested = {
        sendId: sendIdOf(action.actionId, contactId),
        messageId: action.messageId,
        contactId,
        requestedAt: requested,
        expiresAt,
        deferrals: 0,
        attempt: 0,
      };
      if (action.channels?.length) request.channels = action.channels;
      if (action.campaignId !== undefined) request.campaignId = action.campaignId;
      if (action.campaignEventId !== undefined) request.campaignEventId = action.campaignEventId;
      if (action.shipmentId !== undefined) request.shipmentId = action.shipmentId;
      return request;
    });
  }

  /** Contacts that carry more than an id are merged into preferences, in one call for the action. */
  private async upsertContacts(action: CampaignAction): Promise<void> {
    const contacts = action.contacts.filter((c) => Object.keys(c).some((k) => k !== 'id'));
    if (contacts.length === 0) return;
    await this.rpc.call(preferencesContactsBatchUpsert, { contacts });
  }
}
