import { Injectable } from '@nestjs/common';
import type { Audience, Campaign, CampaignStatus, Schedule } from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { execute } from '@switchboard/persistence';

interface CampaignRow {
  id: number;
  name: string;
  description: string | null;
  message_id: number;
  audience: Audience;
  schedule: Schedule;
  status: CampaignStatus;
  created_by: string | null;
  submitted_by: string | null;
  submitted_by_id: string | null;
  approved_by: string | null;
  approved_at: Date | null;
  rejected_by: string | null;
  rejected_at: Date | null;
  rejection_comment: string | null;
  next_run_at: Date | null;
  date_added: Date;
  date_modified: Date;
  last_shipment_at: Date | null;
  sent: string;
}

/** A campaign row as the service works on it (the submitter's id is kept for the four-eyes rule). */
export type CampaignRecord = Campaign & { submittedById: string | null };

/** Columns a caller may set; anything else stays as stored. */
export interface CampaignChanges {
  name?: string;
  description?: string | null;
  messageId?: number;
  audience?: Audience;
  schedule?: Schedule;
  status?: CampaignStatus;
  createdBy?: string | null;
  submittedBy?: string | null;
  submittedById?: string | null;
  approvedBy?: string | null;
  approvedAt?: string | null;
  rejectedBy?: string | null;
  rejectedAt?: string | null;
  rejectionComment?: string | null;
  nextRunAt?: string | null;
}

const COLUMN: Record<keyof CampaignChanges, string> = {
  name: 'name',
  description: 'description',
  messageId: 'message_id',
  audience: 'audience',
  schedule: 'schedule',
  status: 'status',
  createdBy: 'created_by',
  submittedBy: 'submitted_by',
  submittedById: 'submitted_by_id',
  approvedBy: 'approved_by',
  approvedAt: 'approved_at',
  rejectedBy: 'rejected_by',
  rejectedAt: 'rejected_at',
  rejectionComment: 'rejection_comment',
  nextRunAt: 'next_run_at',
};
const JSON_COLUMNS = new Set(['audience', 'schedule']);

const ORDER_BY: Record<string, string> = {
  id: 'c.id',
  name: 'lower(c.name)',
  status: 'c.status',
  messageId: 'c.message_id',
  dateAdded: 'c.date_added',
  dateModified: 'c.date_modified',
  lastShipmentAt: 'c.last_shipment_at',
  nextRunAt: 'c.next_run_at',
  sent: 'sent',
};

const SELECT = `SELECT c.*, COALESCE((SELECT sum(s.requested) FROM campaign_actions.shipments s WHERE s.campaign_id = c.id), 0) AS sent
  FROM campaign_actions.campaigns c`;

export interface CampaignListFilter {
  search?: string;
  status?: CampaignStatus;
  start: number;
  limit: number;
  orderBy?: string;
  orderByDir?: 'asc' | 'desc';
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

interface TotalRow {
  total: string;
}
interface IdRow {
  id: number;
}
interface DueCampaignRow {
  id: number;
  schedule: Schedule;
  next_run_at: Date;
}

function toRecord(r: CampaignRow): CampaignRecord {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    messageId: r.message_id,
    audience: r.audience,
    schedule: r.schedule,
    status: r.status,
    createdBy: r.created_by,
    submittedBy: r.submitted_by,
    submittedById: r.submitted_by_id,
    approvedBy: r.approved_by,
    approvedAt: iso(r.approved_at),
    rejectedBy: r.rejected_by,
    rejectedAt: iso(r.rejected_at),
    rejectionComment: r.rejection_comment,
    nextRunAt: iso(r.next_run_at),
    dateAdded: r.date_added.toISOString(),
    dateModified: r.date_modified.toISOString(),
    lastShipmentAt: iso(r.last_shipment_at),
    sent: Number(r.sent),
  };
}

/** campaign_actions.campaigns. */
@Injectable()
export class CampaignsRepository {
  constructor(private readonly ds: DataSource) {}

  async list(f: CampaignListFilter): Promise<{ total: number; campaigns: CampaignRecord[] }> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (f.search) {
      params.push(`%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(c.name ILIKE $${params.length} OR c.description ILIKE $${params.length})`);
    }
    if (f.status) {
      params.push(f.status);
      where.push(`c.status = $${params.length}`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.ds.query<TotalRow[]>(
      `SELECT count(*) AS total FROM campaign_actions.campaigns c ${clause}`,
      params,
    );
    const order = ORDER_BY[f.orderBy ?? 'id'] ?? 'c.id';
    const dir = f.orderByDir === 'desc' ? 'DESC' : 'ASC';
    params.push(f.start);
    let page = `OFFSET $${params.length}`;
    if (f.limit > 0) {
      params.push(f.limit);
      page += ` LIMIT $${params.length}`;
    }
    const rows = await this.ds.query<CampaignRow[]>(
      `${SELECT} ${clause} ORDER BY ${order} ${dir} NULLS LAST, c.id ${dir} ${page}`,
      params,
    );
    return { total: Number(total), campaigns: rows.map(toRecord) };
  }

  async get(id: number, em: EntityManager = this.ds.manager): Promise<CampaignRecord | undefined> {
    const rows = await em.query<CampaignRow[]>(`${SELECT} WHERE c.id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Locks the row for the rest of `em`'s transaction: transitions and edits of one campaign take turns. */
  async lock(em: EntityManager, id: number): Promise<CampaignRecord | undefined> {
    const rows = await em.query<IdRow[]>('SELECT id FROM campaign_actions.campaigns WHERE id = $1 FOR UPDATE', [id]);
    return rows.length ? this.get(id, em) : undefined;
  }

  async create(changes: CampaignChanges): Promise<number> {
    const keys = Object.keys(changes) as (keyof CampaignChanges)[];
    const [row] = await this.ds.query<IdRow[]>(
      `INSERT INTO campaign_actions.campaigns (${keys.map((k) => COLUMN[k]).join(', ')})
       VALUES (${keys.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      keys.map((k) => this.value(k, changes[k])),
    );
    return row.id;
  }

  async update(em: EntityManager, id: number, changes: CampaignChanges): Promise<void> {
    const keys = Object.keys(changes) as (keyof CampaignChanges)[];
    // An empty PATCH changes nothing but the modification date (it used to be `SET , date_modified`: a 500).
    const sets = [...keys.map((k, i) => `${COLUMN[k]} = $${i + 2}`), 'date_modified = now()'];
    await execute(em, `UPDATE campaign_actions.campaigns SET ${sets.join(', ')} WHERE id = $1`, [
      id,
      ...keys.map((k) => this.value(k, changes[k])),
    ]);
  }

  async delete(em: EntityManager, id: number): Promise<void> {
    await execute(em, 'DELETE FROM campaign_actions.campaigns WHERE id = $1', [id]);
  }

  /** Campaigns whose next slot has come, locked for `em`'s transaction (rows other instances hold are skipped). */
  async claimDue(em: EntityManager, limit: number): Promise<{ id: number; schedule: Schedule; nextRunAt: Date }[]> {
    const rows = await em.query<DueCampaignRow[]>(
      `SELECT id, schedule, next_run_at FROM campaign_actions.campaigns
       WHERE next_run_at <= now() AND status IN ('scheduled', 'sending')
       ORDER BY next_run_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, schedule: r.schedule, nextRunAt: r.next_run_at }));
  }

  /** A slot of the campaign started a shipment: it is sending until that ends; `nextRunAt` is the slot after. */
  async shipped(em: EntityManager, id: number, nextRunAt: Date | null): Promise<void> {
    await execute(
      em,
      `UPDATE campaign_actions.campaigns SET status = 'sending', next_run_at = $2, last_shipment_at = now(), date_modified = now()
       WHERE id = $1`,
      [id, nextRunAt],
    );
  }

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  private value(key: keyof CampaignChanges, value: unknown): unknown {
    return JSON_COLUMNS.has(COLUMN[key]) ? JSON.stringify(value) : value;
  }
}
