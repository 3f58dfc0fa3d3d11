import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DecisionRecord } from './decision.record';
import { decisionKey } from './ids';

interface DecisionRow {
  send_id: string;
  attempt: number;
  deferrals: number;
  message_id: string;
  contact_id: string;
  campaign_id: string | null;
  campaign_event_id: string | null;
  shipment_id: string | null;
  channels: DecisionRecord['channels'];
  exclude_channels: DecisionRecord['excludeChannels'];
  requested_at: Date;
  expires_at: Date;
  outcome: DecisionRecord['outcome'];
  channel: DecisionRecord['channel'];
  dispatch_id: string | null;
  content_id: number | null;
  candidates: DecisionRecord['candidates'];
  skipped: DecisionRecord['skipped'];
  reason: DecisionRecord['reason'];
  retry_at: Date | null;
  decided_at: Date;
  trace_id: string | null;
  tokens: DecisionRecord['tokens'];
}

/** What `store` reads back: one row per input key, stored now or found from before. */
interface StoredRow {
  inserted: boolean;
  row: DecisionJson;
}

/** A routed decision with every channel its send went to so far and the send's latest attempt. */
interface DispatchedRow extends DecisionRow {
  tried_channels: string[];
  latest_attempt: number;
}

const COLUMNS = `send_id, attempt, deferrals, message_id, contact_id, campaign_id, campaign_event_id, shipment_id,
  channels, exclude_channels, requested_at, expires_at, outcome, channel, dispatch_id, content_id, candidates,
  skipped, reason, retry_at, decided_at, trace_id, tokens`;

const RECORDSET = `x(send_id text, attempt int, deferrals int, message_id bigint, contact_id text, campaign_id text,
  campaign_event_id text, shipment_id text, channels jsonb, exclude_channels jsonb, requested_at timestamptz,
  expires_at timestamptz, outcome text, channel text, dispatch_id text, content_id int, candidates jsonb,
  skipped jsonb, reason text, retry_at timestamptz, decided_at timestamptz, trace_id text, tokens jsonb)`;

function toRow(r: DecisionRecord): Record<string, unknown> {
  return {
    send_id: r.sendId,
    attempt: r.attempt,
    deferrals: r.deferrals,
    message_id: r.messageId,
    contact_id: r.contactId,
    campaign_id: r.campaignId,
    campaign_event_id: r.campaignEventId,
    shipment_id: r.shipmentId,
    channels: r.channels,
    exclude_channels: r.excludeChannels,
    requested_at: r.requestedAt,
    expires_at: r.expiresAt,
    outcome: r.outcome,
    channel: r.channel,
    dispatch_id: r.dispatchId,
    content_id: r.contentId,
    candidates: r.candidates,
    skipped: r.skipped,
    reason: r.reason,
    retry_at: r.retryAt,
    decided_at: r.decidedAt,
    trace_id: r.traceId,
    tokens: r.tokens,
  };
}

function fromRow(row: DecisionRow): DecisionRecord {
  return {
    sendId: row.send_id,
    attempt: row.attempt,
    deferrals: row.deferrals,
    messageId: Number(row.message_id),
    contactId: row.contact_id,
    campaignId: row.campaign_id,
    campaignEventId: row.campaign_event_id,
    shipmentId: row.shipment_id,
    channels: row.channels,
    excludeChannels: row.exclude_channels,
    requestedAt: row.requested_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    outcome: row.outcome,
    channel: row.channel,
    dispatchId: row.dispatch_id,
    contentId: row.content_id,
    candidates: row.candidates,
    skipped: row.skipped,
    reason: row.reason,
    retryAt: row.retry_at?.toISOString() ?? null,
    decidedAt: row.decided_at.toISOString(),
    traceId: row.trace_id,
    tokens: row.tokens ?? null,
  };
}

/** A decision row as to_jsonb gives it: timestamps as ISO strings. */
type DecisionJson = Omit<DecisionRow, 'requested_at' | 'expires_at' | 'retry_at' | 'decided_at'> & {
  requested_at: string;
  expires_at: string;
  retry_at: string | null;
  decided_at: string;
};

function fromJson(row: DecisionJson): DecisionRecord {
  return fromRow({
    ...row,
    message_id: String(row.message_id),
    requested_at: new Date(row.requested_at),
    expires_at: new Date(row.expires_at),
    retry_at: row.retry_at === null ? null : new Date(row.retry_at),
    decided_at: new Date(row.decided_at),
  });
}

/** router.decisions: one multi-row statement per batch. */
@Injectable()
export class DecisionsRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Stores a batch's decisions in one statement: the first decision of a key wins. Returns the
   * keys it stored and the decisions stored earlier (a redelivery), read in the same statement:
   * its snapshot predates the insert, so it sees exactly the rows that were there before. A key in
   * neither was stored by a concurrent instance after that snapshot (read it with findByKeys).
   */
  async store(records: DecisionRecord[]): Promise<{ inserted: Set<string>; earlier: Map<string, DecisionRecord> }> {
    if (records.length === 0) return { inserted: new Set(), earlier: new Map() };
    const rows = await this.ds.query<StoredRow[]>(
      `WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS ${RECORDSET}),
       ins AS (
         INSERT INTO router.decisions (${COLUMNS}) SELECT ${COLUMNS} FROM input
         ON CONFLICT (send_id, attempt, deferrals) DO NOTHING
         RETURNING send_id, attempt, deferrals)
       SELECT true AS inserted, to_jsonb(ins) AS row FROM ins
       UNION ALL
       SELECT false, to_jsonb(d) FROM router.decisions d JOIN input USING (send_id, attempt, deferrals)`,
      [JSON.stringify(records.map(toRow))],
    );
    const inserted = new Set<string>();
    const earlier = new Map<string, DecisionRecord>();
    for (const { inserted: fresh, row } of rows) {
      const key = decisionKey({ sendId: row.send_id, attempt: row.attempt, deferrals: row.deferrals });
      if (fresh) inserted.add(key);
      else earlier.set(key, fromJson(row));
    }
    return { inserted, earlier };
  }

  async findByKeys(
    keys: { sendId: string; attempt: number; deferrals: number }[],
  ): Promise<Map<string, DecisionRecord>> {
    if (keys.length === 0) return new Map();
    const rows = await this.ds.query<DecisionRow[]>(
      `SELECT d.* FROM router.decisions d
       JOIN unnest($1::text[], $2::int[], $3::int[]) AS k(send_id, attempt, deferrals)
         USING (send_id, attempt, deferrals)`,
      [keys.map((k) => k.sendId), keys.map((k) => k.attempt), keys.map((k) => k.deferrals)],
    );
    return new Map(
      rows.map((row) => [
        decisionKey({ sendId: row.send_id, attempt: row.attempt, deferrals: row.deferrals }),
        fromRow(row),
      ]),
    );
  }

  /**
   * The routed decisions behind these dispatches, each with every channel its send was routed to
   * so far and the send's latest attempt.
   */
  async findDispatched(
    dispatchIds: string[],
  ): Promise<Map<string, DecisionRecord & { triedChannels: string[]; latestAttempt: number }>> {
    if (dispatchIds.length === 0) return new Map();
    const rows = await this.ds.query<DispatchedRow[]>(
      `SELECT d.*,
              (SELECT coalesce(jsonb_agg(DISTINCT o.channel), '[]') FROM router.decisions o
                WHERE o.send_id = d.send_id AND o.outcome = 'routed') AS tried_channels,
              (SELECT max(o.attempt) FROM router.decisions o WHERE o.send_id = d.send_id) AS latest_attempt
       FROM router.decisions d
       WHERE d.dispatch_id = ANY($1::text[]) AND d.outcome = 'routed'`,
      [dispatchIds],
    );
    return new Map(
      rows.map((row) => [
        row.dispatch_id!,
        { ...fromRow(row), triedChannels: row.tried_channels, latestAttempt: row.latest_attempt },
      ]),
    );
  }

  /** Every decision of one send, oldest first. */
  async findBySend(sendId: string): Promise<DecisionRecord[]> {
    const rows = await this.ds.query<DecisionRow[]>(
      'SELECT * FROM router.decisions WHERE send_id = $1 ORDER BY attempt, deferrals',
      [sendId],
    );
    return rows.map(fromRow);
  }
}
