import { Inject, Injectable } from '@nestjs/common';
import { FREQUENCY_WINDOW_MS, type Decision, type DecisionRequest } from '@switchboard/contracts';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { Clock } from '../clock/clock';
import type { PreferencesConfig } from '../preferences.config';
import { effectiveLimit, judge, recordReservation, type ContactState, type DecisionSettings } from './decision.policy';
import {
  decisionKey,
  DecisionsRepository,
  usageKey,
  type NewDecision,
  type Reservation,
  type UsageWindow,
} from './decisions.repository';

@Injectable()
export class DecisionsService {
  private readonly settings: DecisionSettings;

  constructor(
    private readonly repo: DecisionsRepository,
    private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) config: PreferencesConfig,
  ) {
    this.settings = config.decisions;
  }

  /**
   * Decides a batch in one transaction of six statements: lock and load the contacts (with rules
   * and do-not-contact), load earlier decisions of these sends, load the ledger windows, then write
   * reservations and decisions together. Deciding a (sendId, attempt) again answers the stored
   * decision, unless that was a deferral and the send has come back (more deferrals).
   */
  async decide(requests: DecisionRequest[]): Promise<Decision[]> {
    const now = this.clock.now();
    return this.repo.transaction(async (sql) => {
      const contactIds = [...new Set(requests.map((r) => r.contactId))].sort();
      const contacts = await this.repo.lockContacts(contactIds, sql);
      const previous = await this.repo.previous(requests, sql);

      const windows = new Map<string, UsageWindow>();
      for (const req of requests) {
        const contact = contacts.get(req.contactId);
        if (!contact) continue;
        for (const channel of req.channels) {
          const limit = effectiveLimit(contact.rules[channel], this.settings.defaultFrequency[channel]);
          if (!limit) continue;
          windows.set(usageKey(contact.id, channel), {
            contactId: contact.id,
            channel,
            since: new Date(now.getTime() - FREQUENCY_WINDOW_MS[limit.frequencyTime]),
            keep: limit.frequencyNumber,
          });
        }
      }
      const usage = await this.repo.usage([...windows.values()], sql);
      const states = new Map<string, ContactState>();
      for (const contact of contacts.values()) states.set(contact.id, { contact, usage: new Map() });
      for (const w of windows.values()) states.get(w.contactId)!.usage.set(w.channel, usage.get(usageKey(w.contactId, w.channel))!);

      const decided = new Map<string, Decision>();
      const reservations: Reservation[] = [];
      const fresh: NewDecision[] = [];
      const decisions = requests.map((req) => {
        const key = decisionKey(req.sendId, req.attempt);
        const known = decided.get(key);
        if (known) return known;
        const prior = previous.get(key);
        if (prior && (prior.decision.outcome !== 'deferred' || prior.deferrals >= req.deferrals)) {
          decided.set(key, prior.decision);
          return prior.decision;
        }
        const state = states.get(req.contactId);
        const { decision, reserve } = judge(req, state, this.settings, now.getTime());
        if (reserve && state) {
          reservations.push({ sendId: req.sendId, attempt: req.attempt, contactId: req.contactId, channel: reserve, reservedAt: now });
          const window = windows.get(usageKey(req.contactId, reserve));
          if (window) recordReservation(state.usage.get(reserve)!, now.getTime(), window.keep);
        }
        fresh.push({ sendId: req.sendId, attempt: req.attempt, contactId: req.contactId, deferrals: req.deferrals, decision, decidedAt: now });
        decided.set(key, decision);
        return decision;
      });
      await this.repo.save(reservations, fresh, sql);
      return decisions;
    });
  }
}
