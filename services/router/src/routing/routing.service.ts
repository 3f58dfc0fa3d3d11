import { Inject, Injectable } from '@nestjs/common';
import {
  NatsNames,
  packDecisionRequests,
  preferencesDecide,
  unpackDecisions,
  type Channel,
  type Decision,
  type DecisionRequest,
  type Dispatch,
  type RoutingOutcome,
  type RoutingOutcomeKind,
  type SendRequested,
  type Skipped,
} from '@switchboard/contracts';
import { BatchPublisher, Outcomes, RpcClient, type Outcome } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { RoutableMessagesCache } from '../catalog/routable-messages.cache';
import { ChannelRegistry } from '../channels/channel-registry';
import type { RouterConfig } from '../router.config';
import { CanceledShipmentsRepository } from '../shipments/canceled-shipments.repository';
import type { DecisionFailureReason, DecisionRecord } from './decision.record';
import { DecisionsRepository } from './decisions.repository';
import { decisionKey, dispatchIdOf } from './ids';
import { RoutePlanner, type RoutePlan } from './route-plan';
import { countOutcomes } from './routing.metrics';

interface Verdict {
  outcome: DecisionRecord['outcome'];
  channel?: Channel;
  contentId?: number;
  reason?: DecisionFailureReason;
  retryAt?: string;
  candidates: Channel[];
  skipped: Skipped[];
}

/**
 * Splits a batch (as positions in it) so that no send id occurs twice in one preferences call
 * (its decisions are keyed by send id).
 */
function rounds(requests: SendRequested[]): number[][] {
  const out: number[][] = [];
  const seen = new Map<string, number>();
  requests.forEach((req, i) => {
    const round = seen.get(req.sendId) ?? 0;
    seen.set(req.sendId, round + 1);
    (out[round] ??= []).push(i);
  });
  return out;
}

/** Retry delay of a send whose decision could not be made sense of (its neighbours go on). */
const ITEM_RETRY_MS = 1_000;

/**
 * DESIGN §4 for a batch of send requests: settles what it can alone (step 1), asks preferences
 * for the rest in one call, stores every decision, then publishes dispatches and outcomes. The
 * caller acks the requests only after this resolves, so a crash anywhere means a redelivery that
 * finds the stored decision and republishes the same ids (JetStream drops the duplicates).
 */
@Injectable()
export class RoutingService {
  constructor(
    private readonly catalog: RoutableMessagesCache,
    private readonly channels: ChannelRegistry,
    private readonly decisions: DecisionsRepository,
    private readonly rpc: RpcClient,
    private readonly batches: BatchPublisher,
    private readonly names: NatsNames,
    @Inject(SERVICE_CONFIG) private readonly config: RouterConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly canceledShipments: CanceledShipmentsRepository,
  ) {}

  /**
   * Routes a batch; the outcome of each request says whether it is finished. A request whose
   * decision makes no sense is retried alone; what fails the whole batch (preferences, the
   * database or NATS unreachable) throws.
   */
  /** `traceIds`: the trace each send request came in, by send id (stored with its decision). */
  async route(requests: SendRequested[], traceIds: Map<string, string> = new Map()): Promise<Outcome[]> {
    await this.channels.warmedUp();
    const outcomes: Outcome[] = requests.map(() => Outcomes.done());
    for (const round of rounds(requests)) {
      const failed = await this.routeRound(
        round.map((i) => requests[i]),
        traceIds,
      );
      for (const [j, reason] of failed) outcomes[round[j]] = Outcomes.retry(ITEM_RETRY_MS, reason);
    }
    return outcomes;
  }

  /** Routes requests with distinct send ids; returns the positions of those that failed alone, with why. */
  private async routeRound(all: SendRequested[], traceIds: Map<string, string>): Promise<Map<number, string>> {
    const now = new Date();
    const started = performance.now();
    const messages = await this.catalog.getMany(all.map((r) => r.messageId));
    const planner = new RoutePlanner(this.channels.available(now.getTime()), now, (channel) =>
      this.channels.unavailableDetail(channel, now.getTime()),
    );
    const allPlans = all.map((req) => planner.plan(req, messages.get(req.messageId)));
    await this.canceledShipments.settle(all, allPlans);

    const toDecide: DecisionRequest[] = [];
    for (const p of allPlans) if (p.kind === 'decide') toDecide.push(p.request);
    const decided = new Map<string, Decision>();
    if (toDecide.length > 0) {
      const { decisions } = await this.rpc.call(preferencesDecide, packDecisionRequests(toDecide), {
        timeoutMs: this.config.routing.decideTimeoutMs,
      });
      for (const d of unpackDecisions(toDecide, decisions)) decided.set(d.sendId, d);
    }

    const decidedIn = performance.now();
    const failed = new Map<number, string>();
    const requests: SendRequested[] = [];
    const fresh: DecisionRecord[] = [];
    const decidedAt = now.toISOString();
    all.forEach((req, i) => {
      try {
        fresh.push(this.toRecord(req, allPlans[i], decided.get(req.sendId), decidedAt, traceIds.get(req.sendId)));
        requests.push(req);
      } catch (error) {
        this.logger.error({ err: error, sendId: req.sendId }, 'send not routed; retried alone');
        failed.set(i, (error as Error).message);
      }
    });
    // One statement stores the batch's decisions; a second, only when some were stored before
    // (a redelivery), reads those.
    const storedBefore = await this.decisions.store(fresh);
    const storedIn = performance.now();
    const earlier = await this.decisions.findByKeys(storedBefore);

    const records =
      earlier.size === 0 ? fresh : fresh.map((candidate) => earlier.get(decisionKey(candidate)) ?? candidate);
    await this.recoverContacts(records, decided);

    // Built from validated requests and replies, so not validated again here: at 10k sends/s a
    // schema check per event costs a tenth of a core (the consumers check them at their door).
    // Dispatches go out in batches per channel and outcomes per kind (DESIGN §5 "Batching"), each
    // item under the id BatchPublisher derives from it (the dispatch id; send:attempt:deferrals:outcome).
    const dispatches = new Map<Channel, Dispatch[]>();
    const outcomes = new Map<RoutingOutcomeKind, RoutingOutcome[]>();
    records.forEach((record, i) => {
      const decision = decided.get(record.sendId);
      if (record.outcome === 'routed') {
        if (decision?.contact && decision.channel === record.channel)
          groupOf(dispatches, record.channel).push(this.dispatchPayload(record, decision.contact));
        else
          this.logger.error(
            { sendId: record.sendId, attempt: record.attempt },
            'routed decision without its contact: dispatch not published',
          );
      }
      groupOf(outcomes, record.outcome).push(this.outcomePayload(record, requests[i]));
    });
    await Promise.all([
      ...[...dispatches].map(([channel, items]) => this.batches.publish(this.names.subjects.dispatch(channel), items)),
      ...[...outcomes].map(([outcome, items]) => this.batches.publish(this.names.subjects.routing(outcome), items)),
    ]);
    countOutcomes(records);
    this.logger.debug(
      {
        size: requests.length,
        decideMs: Math.round(decidedIn - started),
        storeMs: Math.round(storedIn - decidedIn),
        publishMs: Math.round(performance.now() - storedIn),
      },
      'batch routed',
    );
    return failed;
  }

  /**
   * A redelivered request whose stored decision is `routed` needs the contact to rebuild its
   * dispatch. Preferences answers a (send, attempt) it routed before with that decision again and
   * reserves nothing, so asking once more for the stored channel gives it back even when this
   * pass settled the request differently (say, the message was unpublished in between).
   */
  private async recoverContacts(records: DecisionRecord[], decided: Map<string, Decision>): Promise<void> {
    const missing = records.filter(
      (r) =>
        r.outcome === 'routed' && !(decided.get(r.sendId)?.contact && decided.get(r.sendId)?.channel === r.channel),
    );
    if (missing.length === 0) return;
    const requests = missing.map((r) => ({
      sendId: r.sendId,
      attempt: r.attempt,
      contactId: r.contactId,
      channels: [r.channel!],
      contentUnavailable: [],
      excludeChannels: [],
      deferrals: r.deferrals,
      expiresAt: r.expiresAt,
    }));
    const { decisions } = await this.rpc.call(preferencesDecide, packDecisionRequests(requests), {
      timeoutMs: this.config.routing.decideTimeoutMs,
    });
    for (const d of unpackDecisions(requests, decisions)) decided.set(d.sendId, d);
  }

  private toRecord(
    req: SendRequested,
    plan: RoutePlan,
    decision: Decision | undefined,
    decidedAt: string,
    traceId: string | undefined,
  ): DecisionRecord {
    const attempt = req.attempt ?? 0;
    const deferrals = req.deferrals ?? 0;
    const v = this.verdict(req, plan, decision, attempt, deferrals);
    if (req.skippedBefore?.length) v.skipped = withSkipsBefore(v.skipped, req.skippedBefore);
    // One literal, no spreads: this runs for every send (V8 spreads are slow on parsed JSON).
    return {
      sendId: req.sendId,
      attempt,
      deferrals,
      messageId: req.messageId,
      contactId: req.contactId,
      campaignId: req.campaignId ?? null,
      campaignEventId: req.campaignEventId ?? null,
      shipmentId: req.shipmentId ?? null,
      channels: req.channels ?? null,
      excludeChannels: req.excludeChannels ?? [],
      requestedAt: req.requestedAt,
      expiresAt: req.expiresAt,
      outcome: v.outcome,
      channel: v.channel ?? null,
      dispatchId: v.channel ? dispatchIdOf(req.sendId, attempt) : null,
      contentId: v.contentId ?? null,
      candidates: v.candidates,
      skipped: v.skipped,
      reason: v.reason ?? null,
      retryAt: v.retryAt ?? null,
      decidedAt,
      traceId: traceId ?? null,
      tokens: req.tokens ?? null,
    };
  }

  private verdict(
    req: SendRequested,
    plan: RoutePlan,
    decision: Decision | undefined,
    attempt: number,
    deferrals: number,
  ): Verdict {
    if (plan.kind === 'settled')
      return { outcome: 'failed', reason: plan.reason, candidates: plan.candidates, skipped: plan.skipped };
    if (!decision) throw new Error(`preferences returned no decision for send ${req.sendId} (attempt ${attempt})`);
    const { candidates, skipped } = decision;
    switch (decision.outcome) {
      case 'routed': {
        const channel = decision.channel;
        const contentId = channel ? plan.contentIds.get(channel) : undefined;
        if (!channel || contentId === undefined || !decision.contact) {
          throw new Error(
            `preferences routed send ${req.sendId} to ${channel ?? 'no channel'} without content or contact`,
          );
        }
        return { outcome: 'routed', channel, contentId, candidates, skipped };
      }
      case 'deferred': {
        const retryAt = decision.retryAt;
        // DESIGN §4.5: preferences enforces these too; checked here so the router never defers past them.
        if (deferrals >= this.config.routing.maxDeferrals)
          return { outcome: 'failed', reason: 'max_deferrals', candidates, skipped };
        if (!retryAt || new Date(retryAt) > new Date(req.expiresAt))
          return { outcome: 'failed', reason: 'expired', candidates, skipped };
        return { outcome: 'deferred', retryAt, candidates, skipped };
      }
      case 'failed':
        return { outcome: 'failed', reason: decision.reason ?? 'no_channel', candidates, skipped };
    }
  }

  private dispatchPayload(record: DecisionRecord, contact: NonNullable<Decision['contact']>): Dispatch {
    const payload: Dispatch = {
      dispatchId: record.dispatchId!,
      sendId: record.sendId,
      messageId: record.messageId,
      channel: record.channel!,
      contentId: record.contentId!,
      contact,
    };
    if (record.tokens !== null) payload.tokens = record.tokens;
    withCampaignRefs(payload, record);
    return payload;
  }

  private outcomePayload(record: DecisionRecord, req: SendRequested): RoutingOutcome {
    const payload: RoutingOutcome = {
      sendId: record.sendId,
      messageId: record.messageId,
      contactId: record.contactId,
      outcome: record.outcome,
      candidates: record.candidates,
      skipped: record.skipped,
      deferrals: record.deferrals,
      attempt: record.attempt,
      occurredAt: record.decidedAt,
    };
    withCampaignRefs(payload, record);
    if (record.channel) payload.channel = record.channel;
    if (record.dispatchId) payload.dispatchId = record.dispatchId;
    if (record.reason) payload.reason = record.reason;
    if (record.retryAt) payload.retryAt = record.retryAt;
    if (record.outcome === 'deferred')
      payload.request = Object.assign({}, req, { attempt: record.attempt, deferrals: record.deferrals });
    return payload;
  }
}

function groupOf<K, V>(groups: Map<K, V[]>, key: K): V[] {
  let group = groups.get(key);
  if (!group) groups.set(key, (group = []));
  return group;
}

function withCampaignRefs(
  target: { campaignId?: string; campaignEventId?: string; shipmentId?: string },
  record: DecisionRecord,
): void {
  if (record.campaignId !== null) target.campaignId = record.campaignId;
  if (record.campaignEventId !== null) target.campaignEventId = record.campaignEventId;
  if (record.shipmentId !== null) target.shipmentId = record.shipmentId;
}

/** An excluded channel that an earlier attempt could not send says why (DESIGN §7.2 incentives). */
function withSkipsBefore(skipped: Skipped[], before: NonNullable<SendRequested['skippedBefore']>): Skipped[] {
  return skipped.map((s) => (s.reason === 'excluded' ? (before.find((b) => b.channel === s.channel) ?? s) : s));
}
