import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { z } from 'zod';
import type { Channel, Decision, DispatchContactSchema } from '@switchboard/contracts';
import type { DecisionContact } from '../contacts/contact.record';
import { ContactsRepository } from '../contacts/contacts.repository';

import type { ChannelUsage } from './decision.policy';
import type { Queryable } from '@switchboard/persistence';

/**
 * A decision as stored: without the contact's render fields (the bulk of it), which a replay
 * rebuilds from the contact it has locked anyway; the address is kept, so a replay routes where the
 * first decision did.
 */
export type SlimDecision = Omit<Decision, 'contact'> & { address?: z.infer<typeof DispatchContactSchema>['address'] };

export interface StoredDecision {
  sendId: string;
  attempt: number;
  deferrals: number;
  decision: SlimDecision;
}

export interface UsageWindow {
  contactId: string;
  channel: Channel;
  /** Reservations after this instant count (ISO 8601: formatted once per batch and window length, not per window). */
  since: string;
  /** How many of the newest to return. */
  keep: number;
}

export interface NewDecision {
  sendId: string;
  attempt: number;
  contactId: string;
  deferrals: number;
  decision: SlimDecision;
  /** ISO 8601: formatted once per batch, not by JSON.stringify once per Date (1.3 µs a decision). */
  decidedAt: string;
  /** The channel whose frequency slot this decision takes (routed only), and when. */
  reserved?: Channel;
  reservedAt?: string;
}

export const decisionKey = (sendId: string, attempt: number) => `${sendId}\u0000${attempt}`;
export const usageKey = (contactId: string, channel: string) => `${contactId}\u0000${channel}`;

/**
 * Read after the contacts are locked: the stored decisions of these sends ($1, $2), and for each
 * (contact, channel) window ($3–$6) the newest `keep` reservation times inside it (epoch ms). Both
 * are index lookups per key: LATERAL … LIMIT keeps the planner from hashing or sorting the whole
 * decisions table instead, which it prefers while the table is small and which then costs in
 * proportion to every decision ever stored.
 */
export const LOAD_SQL = `SELECT
   (SELECT json_agg(json_build_object('sendId', k.send_id, 'attempt', k.attempt, 'deferrals', d.deferrals, 'decision', d.decision))
      FROM unnest($1::text[], $2::int[]) AS k(send_id, attempt)
      CROSS JOIN LATERAL (SELECT d.deferrals, d.decision FROM preferences.decisions d
                           WHERE d.send_id = k.send_id AND d.attempt = k.attempt LIMIT 1) d) AS previous,
   (SELECT json_agg(json_build_object('contactId', q.contact_id, 'channel', q.channel, 'newest', n.newest))
      FROM unnest($3::text[], $4::text[], $5::timestamptz[], $6::int[]) AS q(contact_id, channel, since, keep)
      CROSS JOIN LATERAL (SELECT array_agg(r.ms ORDER BY r.ms DESC) AS newest
                            FROM (SELECT (extract(epoch FROM l.reserved_at) * 1000)::float8 AS ms FROM preferences.decisions l
                                   WHERE l.contact_id = q.contact_id AND l.channel = q.channel AND l.reserved_at > q.since
                                   ORDER BY l.reserved_at DESC LIMIT q.keep) r) n
     WHERE n.newest IS NOT NULL) AS usage`;

/** The SQL of a decision batch: each method is one statement for the whole batch. */
/** What LOAD_SQL answers: one row with the sends' earlier decisions and each window's newest uses. */
interface LoadedRow {
  previous: StoredDecision[] | null;
  usage: { contactId: string; channel: string; newest: number[] }[] | null;
}

interface StoredCountRow {
  stored: number;
}

@Injectable()
export class DecisionsRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly contacts: ContactsRepository,
  ) {}

  transaction<T>(work: (sql: Queryable) => Promise<T>): Promise<T> {
    return this.ds.transaction((em) => work(em));
  }

  /** Takes the decision locks of the batch's contacts and loads them (ContactsRepository.lockForDecision). */
  lockContacts(ids: string[], sql: Queryable): Promise<Map<string, DecisionContact>> {
    return this.contacts.lockForDecision(ids, sql);
  }

  /** The earlier decisions of these sends and the ledger windows, in one statement (LOAD_SQL); none when neither is asked. */
  async load(
    keys: { sendId: string; attempt: number }[],
    windows: UsageWindow[],
    sql: Queryable,
  ): Promise<{ previous: Map<string, StoredDecision>; usage: Map<string, ChannelUsage> }> {
    if (keys.length === 0 && windows.length === 0) return { previous: new Map(), usage: new Map() };
    const [row] = await sql.query<LoadedRow[]>(LOAD_SQL, [
      keys.map((k) => k.sendId),
      keys.map((k) => k.attempt),
      windows.map((w) => w.contactId),
      windows.map((w) => w.channel),
      windows.map((w) => w.since),
      windows.map((w) => w.keep),
    ]);
    const previous = new Map((row.previous ?? []).map((d) => [decisionKey(d.sendId, d.attempt), d]));
    const usage = new Map<string, ChannelUsage>(windows.map((w) => [usageKey(w.contactId, w.channel), { newest: [] }]));
    for (const u of row.usage ?? []) usage.get(usageKey(u.contactId, u.channel))!.newest = u.newest;
    return { previous, usage };
  }

  /**
   * Decisions with their reservations, one multi-row INSERT; answers how many rows it stored. A
   * stored decision (and its reservation) stays as it was, unless it was a deferral and the send has
   * come back since (more deferrals): then it is decided again. So a row that comes back uncounted
   * is a send decided before whose stored decision must be answered.
   */
  async save(decisions: NewDecision[], sql: Queryable): Promise<number> {
    if (decisions.length === 0) return 0;
    const [{ stored }] = await sql.query<StoredCountRow[]>(
      `WITH written AS (
         INSERT INTO preferences.decisions AS d (send_id, attempt, contact_id, deferrals, outcome, decision, decided_at, channel, reserved_at)
         SELECT x."sendId", x.attempt, x."contactId", x.deferrals, x.decision->>'outcome', x.decision, x."decidedAt", x.reserved, x."reservedAt"
           FROM jsonb_to_recordset($1::jsonb) AS x("sendId" text, attempt int, "contactId" text, deferrals int, decision jsonb,
                "decidedAt" timestamptz, reserved text, "reservedAt" timestamptz)
         ON CONFLICT (send_id, attempt) DO UPDATE
           SET deferrals = EXCLUDED.deferrals, outcome = EXCLUDED.outcome, decision = EXCLUDED.decision, decided_at = EXCLUDED.decided_at,
               channel = EXCLUDED.channel, reserved_at = EXCLUDED.reserved_at
           WHERE d.outcome = 'deferred' AND d.deferrals < EXCLUDED.deferrals
         RETURNING 1)
       SELECT count(*)::int AS stored FROM written`,
      [JSON.stringify(decisions)],
    );
    return stored;
  }
}
