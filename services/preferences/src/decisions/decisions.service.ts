import { Inject, Injectable } from '@nestjs/common';
import { FREQUENCY_WINDOW_MS, type Decision, type DecisionRequest, type FrequencyTime } from '@switchboard/contracts';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { Clock } from '../clock/clock';
import type { PreferencesConfig } from '../preferences.config';
import type { DecisionContact } from '../contacts/contact.record';
import { Gate } from './gate';
import {
  effectiveLimit,
  judge,
  recordReservation,
  renderFields,
  type ContactState,
  type DecisionSettings,
} from './decision.policy';
import {
  decisionKey,
  DecisionsRepository,
  usageKey,
  type NewDecision,
  type SlimDecision,
  type UsageWindow,
} from './decisions.repository';
import type { Queryable } from '@switchboard/persistence';

@Injectable()
export class DecisionsService {
  private readonly settings: DecisionSettings;
  private readonly gate: Gate;

  constructor(
    private readonly repo: DecisionsRepository,
    private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) config: PreferencesConfig,
  ) {
    this.settings = config.decisions;
    this.gate = new Gate(config.decisions.concurrency);
  }

  /**
   * Decides a batch in one transaction: lock and load the contacts (with rules and do-not-contact);
   * load the ledger windows the batch needs; write reservations and decisions together. Deciding a
   * (sendId, attempt) again answers the stored decision, unless that was a deferral and the send has
   * come back (more deferrals).
   *
   * Nearly every batch is new sends, so the first try does not read earlier decisions (a probe per
   * send, ~5 µs of PostgreSQL each): it decides every request afresh and stores the decisions by
   * COPY, which a send decided before stops with a unique violation (a redelivery, a replay, a
   * concurrent decide of the same send): that transaction is rolled back and the batch decided
   * again, this time reading the earlier decisions first and storing by INSERT … ON CONFLICT.
   */
  decide(requests: DecisionRequest[]): Promise<Decision[]> {
    const contactIds = [...new Set(requests.map((r) => r.contactId))];
    return this.gate.run(async () => {
      try {
        return await this.repo.transaction((sql) => this.lockAndDecide(requests, contactIds, 'assumeNew', sql));
      } catch (error) {
        if (!(error instanceof DecidedBefore)) throw error;
        return this.repo.transaction((sql) => this.lockAndDecide(requests, contactIds, 'readEarlier', sql));
      }
    });
  }

  private async lockAndDecide(
    requests: DecisionRequest[],
    contactIds: string[],
    mode: 'assumeNew' | 'readEarlier',
    sql: Queryable,
  ): Promise<Decision[]> {
    const contacts = await this.repo.lockContacts(contactIds, sql);
    const now = this.clock.now();
    const windows = new Map<string, UsageWindow>();
    const sinceOf = windowStarts(now.getTime());
    for (const req of requests) {
      const contact = contacts.get(req.contactId);
      if (!contact) continue;
      for (const channel of req.channels) {
        const limit = effectiveLimit(contact.rules[channel], this.settings.defaultFrequency[channel]);
        if (!limit) continue;
        windows.set(usageKey(contact.id, channel), {
          contactId: contact.id,
          channel,
          since: sinceOf(limit.frequencyTime),
          keep: limit.frequencyNumber,
        });
      }
    }
    const { previous, usage } = await this.repo.load(
      mode === 'readEarlier' ? requests : [],
      [...windows.values()],
      sql,
    );
    const states = new Map<string, ContactState>();
    for (const contact of contacts.values()) states.set(contact.id, { contact, usage: new Map() });
    for (const w of windows.values())
      states.get(w.contactId)!.usage.set(w.channel, usage.get(usageKey(w.contactId, w.channel))!);

    const decided = new Map<string, Decision>();
    const fresh: NewDecision[] = [];
    const decidedAt = now.toISOString();
    const decisions = requests.map((req) => {
      const key = decisionKey(req.sendId, req.attempt);
      const known = decided.get(key);
      if (known) return known;
      const state = states.get(req.contactId);
      const prior = previous.get(key);
      const replay =
        prior && (prior.decision.outcome !== 'deferred' || prior.deferrals >= req.deferrals)
          ? restore(req.sendId, prior.decision, state?.contact)
          : undefined;
      if (replay) {
        decided.set(key, replay);
        return replay;
      }
      const { decision, reserve } = judge(req, state, this.settings, now.getTime());
      if (reserve && state) {
        const window = windows.get(usageKey(req.contactId, reserve));
        if (window) recordReservation(state.usage.get(reserve)!, now.getTime(), window.keep);
      }
      const row: NewDecision = {
        sendId: req.sendId,
        attempt: req.attempt,
        contactId: req.contactId,
        deferrals: req.deferrals,
        decision: slim(decision),
        decidedAt,
      };
      if (reserve) {
        row.reserved = reserve;
        row.reservedAt = decidedAt;
      }
      fresh.push(row);
      decided.set(key, decision);
      return decision;
    });
    if (mode === 'readEarlier') await this.repo.save(fresh, sql);
    else if (!(await this.repo.saveNew(fresh, sql))) throw new DecidedBefore();
    return decisions;
  }
}

/** Where each window length's rolling window starts at `now`, formatted once per batch (a Date and its ISO text per window were ~0.5 µs a request). */
function windowStarts(now: number): (time: FrequencyTime) => string {
  const starts = new Map<FrequencyTime, string>();
  return (time) => {
    let since = starts.get(time);
    if (since === undefined) starts.set(time, (since = new Date(now - FREQUENCY_WINDOW_MS[time]).toISOString()));
    return since;
  };
}

/** Thrown inside the first try's transaction (rolling it back) when some send of the batch was decided before. */
class DecidedBefore extends Error {}

function slim(d: Decision): SlimDecision {
  return {
    outcome: d.outcome,
    candidates: d.candidates,
    skipped: d.skipped,
    channel: d.channel,
    address: d.contact?.address,
    retryAt: d.retryAt,
    reason: d.reason,
  };
}

/** The stored decision with its send id and contact rebuilt; undefined when a routed one has lost its contact (decide afresh). */
function restore(
  sendId: string,
  { address, ...stored }: SlimDecision,
  contact: DecisionContact | undefined,
): Decision | undefined {
  const decision = { sendId, ...stored };
  if (decision.outcome !== 'routed') return decision;
  if (!contact || address === undefined) return undefined;
  return {
    ...decision,
    contact: {
      id: contact.id,
      address,
      locale: contact.locale,
      timezone: contact.timezone,
      fields: renderFields(contact),
    },
  };
}
