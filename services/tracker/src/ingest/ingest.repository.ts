import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DeliveryStatus } from '@switchboard/contracts';
import { COUNTER_COLUMNS, firstKey, type CounterDelta, type First } from './counters';
import type { TrackedEvent } from './tracked-event';
import { execute } from '@switchboard/persistence';

/** How far a send got within one dispatch; the furthest wins. */
export const STATUS_RANK: Record<DeliveryStatus, number> = {
  deferred: 10,
  routed: 20,
  sent: 30,
  delivered: 40,
  opened: 50,
  clicked: 60,
  unsubscribed: 70,
  complained: 75,
  bounced: 80,
  failed: 90,
  suppressed: 95,
};
const RANK_SQL = `CASE e.kind ${Object.entries(STATUS_RANK)
  .map(([kind, rank]) => `WHEN '${kind}' THEN ${rank}`)
  .join(' ')} ELSE 0 END`;
/**
 * A bounce that removed one dead push target (DESIGN §6) is about that target: while another target
 * took the dispatch (`sent`) it moves nothing; when none did, every target bounced, and that is
 * what the dispatch shows, above the sender's `failed` that only says nothing took it.
 */
const TARGET_REMOVAL_RANK = STATUS_RANK.failed + 1;
/** Events that move a send from one dispatch to the next (a re-route, a deferral, a routing failure). */
const LIFECYCLE = `('routed', 'deferred', 'suppressed', 'sent', 'failed')`;

/**
 * Advisory lock classes: sends are locked exclusively by ingest; contacts shared by ingest,
 * exclusively by erasure and by a label upsert (which rewrites the contact's search words, so an
 * ingest must not move their newest-send time meanwhile).
 */
export const LOCK_SEND = 7301;
export const LOCK_CONTACT = 7302;

/** The SQL of one ingest transaction: each method is one statement for the whole batch. */
/** A first event of its kind for a (message, campaign, channel), stored by this batch. */
interface FirstRow {
  message_id: number;
  campaign_key: string;
  channel: string;
  kind: First['kind'];
  subject: string;
}

interface EventKeyRow {
  event_key: string;
}
interface WebhookIdRow {
  webhook_id: number;
}

@Injectable()
export class IngestRepository {
  /** Serialises batches touching the same send, and holds erasure off the batch's contacts. */
  async lock(m: EntityManager, sendIds: string[], contactIds: string[]): Promise<void> {
    await execute(
      m,
      `SELECT count(*) FROM (
         SELECT pg_advisory_xact_lock(${LOCK_SEND}, k) FROM (SELECT DISTINCT hashtext(s) AS k FROM unnest($1::text[]) s ORDER BY 1) a
       ) x`,
      [sendIds],
    );
    await execute(
      m,
      `SELECT count(*) FROM (
         SELECT pg_advisory_xact_lock_shared(${LOCK_CONTACT}, k) FROM (SELECT DISTINCT hashtext(c) AS k FROM unnest($1::text[]) c ORDER BY 1) a
       ) x`,
      [contactIds],
    );
  }

  /** Inserts the events not seen before (and not of an erased contact); returns their keys. */
  async insertEvents(m: EntityManager, events: TrackedEvent[]): Promise<Set<string>> {
    const rows = events.map((e) => ({
      event_key: e.key,
      send_id: e.sendId,
      dispatch_id: e.dispatchId,
      kind: e.kind,
      channel: e.channel,
      message_id: e.messageId,
      contact_id: e.contactId,
      campaign_id: e.campaignId,
      campaign_event_id: e.campaignEventId,
      shipment_id: e.shipmentId,
      occurred_at: e.occurredAt,
      url: e.url,
      detail: e.detail,
    }));
    const inserted = await m.query<EventKeyRow[]>(
      `INSERT INTO tracker.events (event_key, send_id, dispatch_id, kind, channel, message_id, contact_id, campaign_id,
                                   campaign_event_id, shipment_id, occurred_at, url, detail)
       SELECT x.event_key, x.send_id, x.dispatch_id, x.kind, x.channel, x.message_id, x.contact_id, x.campaign_id,
              x.campaign_event_id, x.shipment_id, x.occurred_at, x.url, x.detail
       FROM jsonb_to_recordset($1::jsonb) AS x(event_key text, send_id text, dispatch_id text, kind text, channel text,
            message_id integer, contact_id text, campaign_id text, campaign_event_id text, shipment_id text,
            occurred_at timestamptz, url text, detail jsonb)
       WHERE NOT EXISTS (SELECT 1 FROM tracker.erased_contacts ec
                         WHERE ec.contact_hash = encode(sha256(convert_to(x.contact_id, 'UTF8')), 'hex'))
       ON CONFLICT (event_key) DO NOTHING
       RETURNING event_key`,
      [JSON.stringify(rows)],
    );
    return new Set(inserted.map((r) => r.event_key));
  }

  /** Inserts the candidate firsts; returns those that were not there yet. */
  async insertFirsts(m: EntityManager, candidates: First[]): Promise<First[]> {
    if (candidates.length === 0) return [];
    const byKey = new Map(candidates.map((f) => [firstKey(f), f]));
    const sorted = [...byKey.keys()].sort();
    const rows = sorted.map((k) => {
      const f = byKey.get(k)!;
      return { message_id: f.messageId, campaign_key: f.scope, channel: f.channel, kind: f.kind, subject: f.subject };
    });
    const inserted = await m.query<FirstRow[]>(
      `INSERT INTO tracker.firsts (message_id, campaign_key, channel, kind, subject)
       SELECT x.message_id, x.campaign_key, x.channel, x.kind, x.subject
       FROM jsonb_to_recordset($1::jsonb) AS x(message_id integer, campaign_key text, channel text, kind text, subject text)
       ON CONFLICT DO NOTHING
       RETURNING message_id, campaign_key, channel, kind, subject`,
      [JSON.stringify(rows)],
    );
    return inserted.map((r) =>
      byKey.get(
        firstKey({
          messageId: r.message_id,
          scope: r.campaign_key,
          channel: r.channel,
          kind: r.kind,
          subject: r.subject,
        }),
      )!,
    );
  }

  async addCounters(m: EntityManager, deltas: CounterDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    const rows = deltas.map((d) => ({
      message_id: d.messageId,
      campaign_key: d.campaignKey,
      channel: d.channel,
      day: d.day,
      ...Object.fromEntries(COUNTER_COLUMNS.map((c) => [c, d.increments[c] ?? 0])),
    }));
    const cols = COUNTER_COLUMNS.join(', ');
    await execute(
      m,
      `INSERT INTO tracker.counters (message_id, campaign_key, channel, day, ${cols})
       SELECT x.message_id, x.campaign_key, x.channel, x.day, ${COUNTER_COLUMNS.map((c) => `x.${c}`).join(', ')}
       FROM jsonb_to_recordset($1::jsonb) AS x(message_id integer, campaign_key text, channel text, day date,
            ${COUNTER_COLUMNS.map((c) => `${c} integer`).join(', ')})
       ORDER BY x.message_id, x.campaign_key, x.channel, x.day
       ON CONFLICT (message_id, campaign_key, channel, day) DO UPDATE SET
         ${COUNTER_COLUMNS.map((c) => `${c} = tracker.counters.${c} + EXCLUDED.${c}`).join(',\n         ')}`,
      [JSON.stringify(rows)],
    );
  }

  /**
   * Rebuilds the deliveries rows of these sends from their events, so the row is the same whatever
   * order the events arrived in. The current dispatch is the one of the latest lifecycle event
   * (a re-route moves the send to its new dispatch); within it the furthest status wins. A routing
   * failure after a dispatch (the re-route of a bounce or a permanent failure found no channel)
   * ends the send without replacing that dispatch: the row keeps its status (`bounced`, `failed`)
   * and error, and takes the routing failure's reason and skips.
   */
  async rebuildDeliveries(m: EntityManager, sendIds: string[]): Promise<void> {
    if (sendIds.length === 0) return;
    await execute(
      m,
      `WITH ev0 AS (
         SELECT e.*, ${RANK_SQL} AS base_rank, coalesce(e.dispatch_id, '') AS akey, e.kind IN ${LIFECYCLE} AS lifecycle,
                e.kind = 'bounced' AND coalesce(e.detail ? 'targetRemoved', false) AS removal
         FROM tracker.events e WHERE e.send_id = ANY($1::text[])
       ),
       ev AS (
         SELECT ev0.*,
           CASE WHEN NOT removal THEN base_rank
                WHEN bool_or(kind = 'sent') OVER (PARTITION BY send_id, akey) THEN 0
                ELSE ${TARGET_REMOVAL_RANK} END AS rank,
           bool_or(akey <> '') OVER (PARTITION BY send_id) AS dispatched
         FROM ev0
       ),
       last AS (
         SELECT DISTINCT ON (send_id) send_id, akey, kind = 'suppressed' AND dispatched AS ended
         FROM ev ORDER BY send_id, lifecycle DESC, occurred_at DESC, rank DESC
       ),
       cur AS (
         SELECT l.send_id, l.ended,
           CASE WHEN l.ended THEN (SELECT d.akey FROM ev d WHERE d.send_id = l.send_id AND d.akey <> ''
                                   ORDER BY d.lifecycle DESC, d.occurred_at DESC, d.rank DESC LIMIT 1)
                ELSE l.akey END AS akey
         FROM last l
       ),
       agg AS (
         SELECT ev.send_id,
           min(ev.message_id) AS message_id,
           min(ev.contact_id) AS contact_id,
           max(ev.campaign_id) AS campaign_id,
           max(ev.campaign_event_id) AS campaign_event_id,
           max(ev.shipment_id) AS shipment_id,
           coalesce(
             (array_agg(ev.channel ORDER BY ev.occurred_at DESC) FILTER (WHERE ev.akey = cur.akey AND ev.channel IS NOT NULL))[1],
             (array_agg(ev.channel ORDER BY ev.occurred_at DESC) FILTER (WHERE ev.channel IS NOT NULL))[1]) AS channel,
           nullif(cur.akey, '') AS dispatch_id,
           (array_agg(ev.kind ORDER BY ev.rank DESC) FILTER (WHERE ev.akey = cur.akey))[1] AS status,
           count(DISTINCT ev.dispatch_id)::int AS attempts,
           count(*) FILTER (WHERE ev.kind = 'deferred')::int AS deferrals,
           (array_agg(ev.detail ORDER BY ev.occurred_at DESC) FILTER (WHERE ev.kind IN ('routed', 'deferred', 'suppressed')))[1] AS routing,
           (array_agg(ev.detail -> 'error' ORDER BY ev.rank DESC, ev.occurred_at DESC)
             FILTER (WHERE ev.kind IN ('failed', 'bounced') AND ev.rank > 0 AND ev.akey = cur.akey))[1] AS error,
           bool_or(cur.ended) AS ended,
           (array_agg(ev.detail ->> 'variant' ORDER BY ev.occurred_at DESC) FILTER (WHERE ev.kind IN ('sent', 'failed') AND ev.akey = cur.akey))[1] AS variant,
           (array_agg(ev.detail -> 'dynamicContent' ORDER BY ev.occurred_at DESC) FILTER (WHERE ev.kind IN ('sent', 'failed') AND ev.akey = cur.akey))[1] AS dynamic_content,
           count(*) FILTER (WHERE ev.kind = 'opened')::int AS opens,
           count(*) FILTER (WHERE ev.kind = 'clicked')::int AS clicks,
           min(ev.occurred_at) AS first_at,
           max(ev.occurred_at) AS last_at,
           min(ev.occurred_at) FILTER (WHERE ev.kind = 'routed' AND ev.akey = cur.akey) AS routed_at,
           min(ev.occurred_at) FILTER (WHERE ev.kind = 'sent' AND ev.akey = cur.akey) AS sent_at,
           min(ev.occurred_at) FILTER (WHERE ev.kind = 'delivered' AND ev.akey = cur.akey) AS delivered_at,
           min(ev.occurred_at) FILTER (WHERE ev.kind = 'failed' AND ev.akey = cur.akey) AS failed_at,
           min(ev.occurred_at) FILTER (WHERE ev.kind = 'bounced' AND ev.akey = cur.akey) AS bounced_at,
           min(ev.occurred_at) FILTER (WHERE ev.kind = 'opened') AS opened_at,
           min(ev.occurred_at) FILTER (WHERE ev.kind = 'clicked') AS clicked_at,
           min(ev.occurred_at) FILTER (WHERE ev.kind = 'unsubscribed') AS unsubscribed_at,
           min(ev.occurred_at) FILTER (WHERE ev.kind = 'complained') AS complained_at
         FROM ev JOIN cur USING (send_id)
         GROUP BY ev.send_id, cur.akey
       )
       INSERT INTO tracker.deliveries AS d (
         send_id, message_id, contact_id, campaign_id, campaign_event_id, shipment_id, channel, dispatch_id, status,
         attempts, deferrals, skipped, failure_reason, error, variant, dynamic_content, retry_at, opens, clicks, created_at, updated_at,
         routed_at, sent_at, delivered_at, failed_at, bounced_at, opened_at, clicked_at, unsubscribed_at, complained_at)
       SELECT send_id, message_id, contact_id, campaign_id, campaign_event_id, shipment_id, channel, dispatch_id, status,
         attempts, deferrals, coalesce(routing -> 'skipped', '[]'::jsonb),
         CASE WHEN status = 'suppressed' OR ended THEN routing ->> 'reason' END,
         CASE WHEN status IN ('failed', 'bounced') THEN error END, variant, dynamic_content,
         CASE WHEN status = 'deferred' THEN (routing ->> 'retryAt')::timestamptz END,
         opens, clicks, first_at, last_at,
         routed_at, sent_at, delivered_at, failed_at, bounced_at, opened_at, clicked_at, unsubscribed_at, complained_at
       FROM agg ORDER BY send_id
       ON CONFLICT (send_id) DO UPDATE SET
         created_at = LEAST(d.created_at, EXCLUDED.created_at), message_id = EXCLUDED.message_id, contact_id = EXCLUDED.contact_id, campaign_id = EXCLUDED.campaign_id,
         campaign_event_id = EXCLUDED.campaign_event_id, shipment_id = EXCLUDED.shipment_id, channel = EXCLUDED.channel,
         dispatch_id = EXCLUDED.dispatch_id, status = EXCLUDED.status, attempts = EXCLUDED.attempts,
         deferrals = EXCLUDED.deferrals, skipped = EXCLUDED.skipped, failure_reason = EXCLUDED.failure_reason,
         error = EXCLUDED.error, variant = EXCLUDED.variant, dynamic_content = EXCLUDED.dynamic_content, retry_at = EXCLUDED.retry_at, opens = EXCLUDED.opens, clicks = EXCLUDED.clicks,
         updated_at = EXCLUDED.updated_at, routed_at = EXCLUDED.routed_at, sent_at = EXCLUDED.sent_at,
         delivered_at = EXCLUDED.delivered_at, failed_at = EXCLUDED.failed_at, bounced_at = EXCLUDED.bounced_at,
         opened_at = EXCLUDED.opened_at, clicked_at = EXCLUDED.clicked_at, unsubscribed_at = EXCLUDED.unsubscribed_at,
         complained_at = EXCLUDED.complained_at`,
      [sendIds],
    );
  }

  /**
   * Moves the newest-send time on the search words of these sends' contacts forward (see
   * contact-search.ts). Rows are locked in one order, so two batches sharing contacts cannot deadlock.
   */
  async raiseNewestSends(m: EntityManager, sendIds: string[]): Promise<void> {
    if (sendIds.length === 0) return;
    await execute(
      m,
      `WITH newest AS (
         SELECT contact_id, max(created_at) AS at FROM tracker.deliveries WHERE send_id = ANY($1::text[]) GROUP BY contact_id
       ),
       behind AS (
         SELECT w.contact_id, w.word, n.at FROM tracker.contact_words w JOIN newest n USING (contact_id)
         WHERE w.newest_send_at IS NULL OR w.newest_send_at < n.at
         ORDER BY w.contact_id, w.word
         FOR UPDATE OF w
       )
       UPDATE tracker.contact_words w SET newest_send_at = behind.at
       FROM behind WHERE w.contact_id = behind.contact_id AND w.word = behind.word`,
      [sendIds],
    );
  }

  /** Queues the new events for every published webhook whose triggers match; returns the webhooks that got some. */
  async fanOut(m: EntityManager, events: TrackedEvent[]): Promise<number[]> {
    const rows = events.map((e) => ({
      event_key: e.key,
      type: e.type,
      contact_id: e.contactId,
      body: { id: e.key, type: e.type, occurredAt: e.occurredAt, data: e.payload },
    }));
    const queued = await m.query<WebhookIdRow[]>(
      `INSERT INTO tracker.webhook_deliveries (webhook_id, event_key, type, contact_id, body)
       SELECT w.id, x.event_key, x.type, x.contact_id, x.body
       FROM jsonb_to_recordset($1::jsonb) AS x(event_key text, type text, contact_id text, body jsonb)
       JOIN tracker.webhooks w ON w.is_published
         AND (x.type = ANY (w.triggers) OR split_part(x.type, '.', 1) || '.*' = ANY (w.triggers) OR '*' = ANY (w.triggers))
       ON CONFLICT (webhook_id, event_key) DO NOTHING
       RETURNING webhook_id`,
      [JSON.stringify(rows)],
    );
    return [...new Set(queued.map((r) => r.webhook_id))];
  }
}
