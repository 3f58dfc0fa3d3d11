import { Injectable } from '@nestjs/common';
import { copyField, copyIn, databaseErrorOf } from '@switchboard/persistence';
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

const UNIQUE_VIOLATION = '23505';

/** The key of a decision `store` inserted. */
interface KeyRow {
  send_id: string;
  attempt: number;
  deferrals: number;
}

/** A routed decision with every channel its send went to so far and the send's latest attempt. */
interface DispatchedRow extends DecisionRow {
  tried_channels: string[];
  latest_attempt: number;
}

/** Each column with the DecisionRecord field it is stored from and its type. */
const FIELDS: [column: string, field: keyof DecisionRecord, type: string][] = [
  ['send_id', 'sendId', 'text'],
  ['attempt', 'attempt', 'int'],
  ['deferrals', 'deferrals', 'int'],
  ['message_id', 'messageId', 'bigint'],
  ['contact_id', 'contactId', 'text'],
  ['campaign_id', 'campaignId', 'text'],
  ['campaign_event_id', 'campaignEventId', 'text'],
  ['shipment_id', 'shipmentId', 'text'],
  ['channels', 'channels', 'jsonb'],
  ['exclude_channels', 'excludeChannels', 'jsonb'],
  ['requested_at', 'requestedAt', 'timestamptz'],
  ['expires_at', 'expiresAt', 'timestamptz'],
  ['outcome', 'outcome', 'text'],
  ['channel', 'channel', 'text'],
  ['dispatch_id', 'dispatchId', 'text'],
  ['content_id', 'contentId', 'int'],
  ['candidates', 'candidates', 'jsonb'],
  ['skipped', 'skipped', 'jsonb'],
  ['reason', 'reason', 'text'],
  ['retry_at', 'retryAt', 'timestamptz'],
  ['decided_at', 'decidedAt', 'timestamptz'],
  ['trace_id', 'traceId', 'text'],
  ['tokens', 'tokens', 'jsonb'],
];

const COLUMNS = FIELDS.map(([column]) => column).join(', ');
/** The records as JSON, read under their own (camelCase) names: no row object per record to build. */
const RECORDSET = `x(${FIELDS.map(([, field, type]) => `"${field}" ${type}`).join(', ')})`;
const FROM_RECORDSET = FIELDS.map(([, field]) => `x."${field}"`).join(', ');
const FIELD_NAMES = FIELDS.map(([, field]) => field);

/** The records in COPY's text format, one line each. */
function copyRowsOf(records: DecisionRecord[]): string {
  let rows = '';
  for (const record of records) {
    let line = copyField(record[FIELD_NAMES[0]]);
    for (let i = 1; i < FIELD_NAMES.length; i++) line += '\t' + copyField(record[FIELD_NAMES[i]]);
    rows += line + '\n';
  }
  return rows;
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

/** router.decisions: one multi-row statement per batch. */
@Injectable()
export class DecisionsRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Stores a batch's decisions: the first decision of a key wins. Returns the records it did not
   * store, whose keys were stored before (a redelivery, or a concurrent instance): findByKeys reads
   * those. Nearly always none, so no key is made per record then. A COPY of the batch costs PostgreSQL half the CPU of the INSERT … ON CONFLICT (22 →
   * 10 µs a decision in isolation: no speculative insertion per row, rows go in by pages), and a
   * batch is all new but for a redelivery: when the COPY meets a key stored before, it stored
   * nothing (its own transaction) and the INSERT stores the rest.
   */
  async store(records: DecisionRecord[]): Promise<DecisionRecord[]> {
    if (records.length === 0) return [];
    try {
      await copyIn(this.ds, `router.decisions (${COLUMNS})`, copyRowsOf(records));
      return [];
    } catch (error) {
      if (databaseErrorOf(error)?.code !== UNIQUE_VIOLATION) throw error;
    }
    const inserted = await this.storeNew(records);
    return records.filter((r) => !inserted.has(decisionKey(r)));
  }

  /**
   * Stores the records whose keys are not stored yet, in one statement: the keys a redelivery
   * brings again are skipped, not probed first. json_to_recordset, not jsonb_: the batch is read
   * once, so building a jsonb of it is waste.
   */
  private async storeNew(records: DecisionRecord[]): Promise<Set<string>> {
    const rows = await this.ds.query<KeyRow[]>(
      `INSERT INTO router.decisions (${COLUMNS})
       SELECT ${FROM_RECORDSET} FROM json_to_recordset($1::json) AS ${RECORDSET}
       ON CONFLICT (send_id, attempt, deferrals) DO NOTHING
       RETURNING send_id, attempt, deferrals`,
      [JSON.stringify(records)],
    );
    return new Set(
      rows.map((row) => decisionKey({ sendId: row.send_id, attempt: row.attempt, deferrals: row.deferrals })),
    );
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
   * so far and the send's latest attempt. Found by their sends (the primary key), then matched on
   * the dispatch id.
   */
  async findDispatched(
    dispatches: { sendId: string; dispatchId: string }[],
  ): Promise<Map<string, DecisionRecord & { triedChannels: string[]; latestAttempt: number }>> {
    if (dispatches.length === 0) return new Map();
    const rows = await this.ds.query<DispatchedRow[]>(
      `SELECT d.*,
              (SELECT coalesce(jsonb_agg(DISTINCT o.channel), '[]') FROM router.decisions o
                WHERE o.send_id = d.send_id AND o.outcome = 'routed') AS tried_channels,
              (SELECT max(o.attempt) FROM router.decisions o WHERE o.send_id = d.send_id) AS latest_attempt
       FROM router.decisions d
       WHERE d.send_id = ANY($1::text[]) AND d.dispatch_id = ANY($2::text[]) AND d.outcome = 'routed'`,
      [[...new Set(dispatches.map((d) => d.sendId))], dispatches.map((d) => d.dispatchId)],
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
