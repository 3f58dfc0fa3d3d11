import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { z } from 'zod';
import type { Channel, Decision, DispatchContactSchema } from '@switchboard/contracts';
import type { DecisionContact } from '../contacts/contact.record';
import { ContactsRepository } from '../contacts/contacts.repository';

import type { ChannelUsage } from './decision.policy';
import {
  copyField,
  copyIn,
  copyLines,
  databaseErrorOf,
  type PreparedStatement,
  queryPrepared,
  type Queryable,
} from '@switchboard/persistence';

/**
 * A decision as stored: without the contact's render fields (the bulk of it), which a replay
 * rebuilds from the contact it has locked anyway, nor its send id, which is the row's key; the
 * address is kept, so a replay routes where the first decision did. (Rows stored before also hold
 * the send id.)
 */
export type SlimDecision = Omit<Decision, 'contact' | 'sendId'> & {
  address?: z.infer<typeof DispatchContactSchema>['address'];
};

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
 * Read after the contacts are locked, both by index lookups per key: LATERAL … LIMIT keeps the
 * planner from hashing or sorting the whole decisions table instead, which it prefers while the
 * table is small and which then costs in proportion to every decision ever stored.
 *
 * PREVIOUS: the stored decisions of these sends ($1, $2).
 */
export const PREVIOUS: PreparedStatement = {
  name: 'preferences.decision_previous',
  text: `SELECT k.send_id AS "sendId", k.attempt, d.deferrals, d.decision
     FROM unnest($1::text[], $2::int[]) AS k(send_id, attempt)
     CROSS JOIN LATERAL (SELECT d.deferrals, d.decision FROM preferences.decisions d
                          WHERE d.send_id = k.send_id AND d.attempt = k.attempt LIMIT 1) d`,
};

/**
 * WINDOWS: for each (contact, channel) window ($1–$4), the newest `keep` reservation times inside it
 * (epoch ms), a row each. As rows rather than one json_agg of an array_agg per window, PostgreSQL
 * spends 5.9 instead of 7.7 µs a window in batches of 500, 14.8 instead of 18.5 in batches of 20.
 */
export const WINDOWS: PreparedStatement = {
  name: 'preferences.decision_windows',
  text: `SELECT q.contact_id AS "contactId", q.channel, (extract(epoch FROM l.reserved_at) * 1000)::float8 AS ms
     FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[]) AS q(contact_id, channel, since, keep)
     CROSS JOIN LATERAL (SELECT l.reserved_at FROM preferences.decisions l
                          WHERE l.contact_id = q.contact_id AND l.channel = q.channel AND l.reserved_at > q.since
                          ORDER BY l.reserved_at DESC LIMIT q.keep) l`,
};

/** What WINDOWS answers: one reservation inside one window. */
interface ReservationRow {
  contactId: string;
  channel: string;
  ms: number;
}

interface StoredCountRow {
  stored: number;
}

const UNIQUE_VIOLATION = '23505';

const DECISION_COLUMNS = 'send_id, attempt, contact_id, deferrals, outcome, decision, decided_at, channel, reserved_at';

/**
 * The decisions in COPY's text format, one line each, in DECISION_COLUMNS' order (`copyLines`). The
 * outcome (an enum) and the ISO timestamps hold none of the characters COPY reserves, so they go in
 * as they are; the decision's JSON is its one JSON.stringify (copyField).
 */
function copyRowsOf(decisions: NewDecision[]): string[] {
  return copyLines(
    decisions,
    (d) =>
      `${copyField(d.sendId)}\t${d.attempt}\t${copyField(d.contactId)}\t${d.deferrals}\t${d.decision.outcome}\t` +
      `${copyField(d.decision)}\t${d.decidedAt}\t${copyField(d.reserved)}\t${copyField(d.reservedAt)}\n`,
  );
}

/** The SQL of a decision batch: each statement serves the whole batch. */
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

  /** The earlier decisions of these sends (PREVIOUS) and the ledger windows (WINDOWS): a statement for each that is asked. */
  async load(
    keys: { sendId: string; attempt: number }[],
    windows: UsageWindow[],
    sql: Queryable,
  ): Promise<{ previous: Map<string, StoredDecision>; usage: Map<string, ChannelUsage> }> {
    const previous = new Map<string, StoredDecision>();
    if (keys.length > 0) {
      const rows = await queryPrepared<StoredDecision>(sql, PREVIOUS, [
        keys.map((k) => k.sendId),
        keys.map((k) => k.attempt),
      ]);
      for (const d of rows) previous.set(decisionKey(d.sendId, d.attempt), d);
    }
    const usage = new Map<string, ChannelUsage>(windows.map((w) => [usageKey(w.contactId, w.channel), { newest: [] }]));
    if (windows.length > 0) {
      const rows = await queryPrepared<ReservationRow>(sql, WINDOWS, [
        windows.map((w) => w.contactId),
        windows.map((w) => w.channel),
        windows.map((w) => w.since),
        windows.map((w) => w.keep),
      ]);
      for (const r of rows) usage.get(usageKey(r.contactId, r.channel))!.newest.push(r.ms);
      // Newest first, as ChannelUsage holds them; the statement's rows carry no order of their own.
      for (const u of usage.values()) if (u.newest.length > 1) u.newest.sort((a, b) => b - a);
    }
    return { previous, usage };
  }

  /**
   * Decisions of sends taken to be new, with their reservations, inside the decide transaction `sql`;
   * false when some send was decided before, and then `sql` is aborted and must be rolled back.
   * COPY saves PostgreSQL 10-15 µs a decision against the INSERT … ON CONFLICT (no speculative
   * insertion per row; rows go in by pages), and a unique violation stops it: a send decided
   * before (a redelivery, a concurrent decide of the same send), which PostgreSQL logs as an ERROR
   * once per such batch. A batch with a send deferred before takes `save` instead: a deferral that
   * comes back is re-decided in place by its ON CONFLICT, not by a second try.
   */
  async saveNew(decisions: NewDecision[], sql: Queryable): Promise<boolean> {
    if (decisions.length === 0) return true;
    if (decisions.some((d) => d.deferrals > 0)) return (await this.save(decisions, sql)) === decisions.length;
    try {
      await copyIn(sql, `preferences.decisions (${DECISION_COLUMNS})`, copyRowsOf(decisions));
      return true;
    } catch (error) {
      if (databaseErrorOf(error)?.code !== UNIQUE_VIOLATION) throw error;
      return false;
    }
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
         INSERT INTO preferences.decisions AS d (${DECISION_COLUMNS})
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
