import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Channel } from '@switchboard/contracts';
import type { DncReason } from '../contacts/contact.record';
import { execute, type Queryable, returning } from '@switchboard/persistence';

export interface DncEntry {
  contactId: string;
  channel: Channel;
  reason: DncReason;
  comments: string | null;
  source: string | null;
  dateAdded: Date;
}

/** An entry caused by an event, added at most once per `key` (dispatch id + event). */
export interface DncFromEvent extends DncEntry {
  key: string;
}

interface RemovedRow {
  reason: DncReason;
}
interface ProcessedRow {
  key: string;
}
interface StreakRow {
  soft_bounces: number;
}

@Injectable()
export class DncRepository {
  constructor(private readonly ds: DataSource) {}

  /** One entry per (contact, channel, reason): adding it again keeps the first. */
  async add(entry: DncEntry, sql: Queryable = this.ds): Promise<void> {
    await execute(
      sql,
      `INSERT INTO preferences.dnc_entries (contact_id, channel, reason, comments, source, date_added)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [entry.contactId, entry.channel, entry.reason, entry.comments, entry.source, entry.dateAdded],
    );
  }

  /** Adds entries in one statement (a contact's create or edit body); one per (contact, channel, reason). */
  async addMany(entries: DncEntry[], sql: Queryable = this.ds): Promise<void> {
    if (entries.length === 0) return;
    await execute(
      sql,
      `INSERT INTO preferences.dnc_entries (contact_id, channel, reason, comments, source, date_added)
       SELECT x."contactId", x.channel, x.reason, x.comments, x.source, x."dateAdded"
         FROM jsonb_to_recordset($1::jsonb) AS x("contactId" text, channel text, reason smallint, comments text,
              source text, "dateAdded" timestamptz)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(entries)],
    );
  }

  /** Removes the channel's entries with the given reasons; answers how many went. */
  async remove(
    contactId: string,
    channel: Channel,
    reasons: readonly DncReason[],
    sql: Queryable = this.ds,
  ): Promise<number> {
    const rows = await returning<RemovedRow>(
      sql,
      'DELETE FROM preferences.dnc_entries WHERE contact_id = $1 AND channel = $2 AND reason = ANY($3::smallint[]) RETURNING reason',
      [contactId, channel, reasons],
    );
    return rows.length;
  }

  /**
   * Adds the entries of a batch of events in one statement: an event key seen before adds nothing
   * (so a redelivered bounce cannot undo a later re-subscribe), nor does an unknown contact.
   */
  async addFromEvents(entries: DncFromEvent[], sql: Queryable = this.ds): Promise<void> {
    if (entries.length === 0) return;
    await execute(
      sql,
      `WITH ev AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(key text, "contactId" text, channel text, reason smallint,
                comments text, source text, "dateAdded" timestamptz)
       ), fresh AS (
         INSERT INTO preferences.processed_events (key) SELECT DISTINCT key FROM ev ON CONFLICT DO NOTHING RETURNING key
       )
       INSERT INTO preferences.dnc_entries (contact_id, channel, reason, comments, source, date_added)
       SELECT DISTINCT ON (ev."contactId", ev.channel, ev.reason) ev."contactId", ev.channel, ev.reason, ev.comments, ev.source, ev."dateAdded"
         FROM ev JOIN fresh USING (key) JOIN preferences.contacts c ON c.id = ev."contactId"
        ORDER BY ev."contactId", ev.channel, ev.reason, ev."dateAdded"
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(entries)],
    );
  }

  /** The keys of events not seen before, now marked seen. */
  async markProcessed(keys: string[], sql: Queryable): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await sql.query<ProcessedRow[]>(
      `INSERT INTO preferences.processed_events (key) SELECT DISTINCT unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING key`,
      [keys],
    );
    return new Set(rows.map((r) => r.key));
  }

  /** One more soft bounce in a row; answers the streak's length (undefined for an unknown contact). */
  async addSoftBounce(contactId: string, channel: Channel, at: Date, sql: Queryable): Promise<number | undefined> {
    const rows = await sql.query<StreakRow[]>(
      `INSERT INTO preferences.bounce_streaks AS s (contact_id, channel, soft_bounces, last_bounce_at)
       SELECT id, $2, 1, $3 FROM preferences.contacts WHERE id = $1
       ON CONFLICT (contact_id, channel) DO UPDATE
         SET soft_bounces = s.soft_bounces + 1, last_bounce_at = greatest(s.last_bounce_at, EXCLUDED.last_bounce_at)
       RETURNING soft_bounces`,
      [contactId, channel, at],
    );
    return rows[0]?.soft_bounces;
  }

  /** A streak that reached the limit starts again (the do-not-contact entry it caused now speaks for it). */
  async clearStreak(contactId: string, channel: Channel, sql: Queryable): Promise<void> {
    await execute(
      sql,
      'UPDATE preferences.bounce_streaks SET soft_bounces = 0 WHERE contact_id = $1 AND channel = $2',
      [contactId, channel],
    );
  }

  /** Deliveries end the streaks of soft bounces before them, in one statement per batch. */
  async resetStreaks(deliveries: Array<{ contactId: string; channel: Channel; occurredAt: string }>): Promise<void> {
    if (deliveries.length === 0) return;
    await execute(
      this.ds,
      `UPDATE preferences.bounce_streaks s SET soft_bounces = 0
       FROM jsonb_to_recordset($1::jsonb) AS d("contactId" text, channel text, "occurredAt" timestamptz)
       WHERE s.contact_id = d."contactId" AND s.channel = d.channel AND s.soft_bounces > 0
         AND s.last_bounce_at <= d."occurredAt"`,
      [JSON.stringify(deliveries)],
    );
  }
}
