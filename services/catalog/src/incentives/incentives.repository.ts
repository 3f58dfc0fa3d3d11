import { Injectable } from '@nestjs/common';
import type { ListQuery } from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { auditColumns, buildListSql, selectPage, type Columns, type ListSpec } from '../items/list-query';
import { auditSelect, type AuditRow, type SavedRow } from '../items/sql';
import { execute, returning } from '@switchboard/persistence';

export interface IncentiveRow extends AuditRow {
  name: string;
  description: string | null;
  expiresAt: Date | null;
  codesLeft: number;
  codesIssued: number;
}

export type IncentiveFields = Pick<IncentiveRow, 'name' | 'description' | 'isPublished'> & { expiresAt: string | null };

/** One claimed code: the send it went to. */
export interface IssuedRow {
  incentiveId: number;
  sendId: string;
  code: string;
}

const COLUMNS: Columns = {
  ...auditColumns('i'),
  name: { sql: 'i.name', type: 'text' },
  description: { sql: 'i.description', type: 'text' },
  expiresAt: { sql: 'i.expires_at', type: 'date' },
};
const SPEC: ListSpec = { columns: COLUMNS, searchColumn: COLUMNS.name, publishedSql: 'i.is_published' };
const FROM = `FROM catalog.incentives i LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE c.issued_at IS NULL)::int AS "codesLeft",
           count(*) FILTER (WHERE c.issued_at IS NOT NULL)::int AS "codesIssued"
      FROM catalog.incentive_codes c WHERE c.incentive_id = i.id) n ON true`;
const SELECT = `SELECT ${auditSelect('i')}, i.name, i.description, i.expires_at AS "expiresAt", n."codesLeft", n."codesIssued"`;

/**
 * Gives each send of a batch that has no code of the pool yet one free code, in one statement:
 * free codes are locked with SKIP LOCKED (concurrent claims, from any number of sender instances,
 * take different codes without waiting on each other), paired with the sends by position, and
 * recorded with ON CONFLICT on the (pool, send) key, so a send claimed concurrently elsewhere keeps
 * the code it got there and the code locked here stays free. An expired pool gives nothing.
 */
const CLAIM_SQL = `
  WITH wanted AS (
    SELECT s.send_id, s.ord FROM unnest($2::text[]) WITH ORDINALITY AS s(send_id, ord)
     WHERE NOT EXISTS (SELECT 1 FROM catalog.incentive_issues x WHERE x.incentive_id = $1 AND x.send_id = s.send_id)
  ), free AS (
    SELECT c.id FROM catalog.incentive_codes c
     WHERE c.incentive_id = $1 AND c.issued_at IS NULL
       AND EXISTS (SELECT 1 FROM catalog.incentives p WHERE p.id = $1 AND (p.expires_at IS NULL OR p.expires_at > now()))
     ORDER BY c.id
     LIMIT (SELECT count(*) FROM wanted)
     FOR UPDATE OF c SKIP LOCKED
  ), paired AS (
    SELECT w.send_id, f.id AS code_id
      FROM (SELECT send_id, row_number() OVER (ORDER BY ord) AS rn FROM wanted) w
      JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM free) f USING (rn)
  ), issued AS (
    INSERT INTO catalog.incentive_issues (incentive_id, send_id, code_id)
    SELECT $1, send_id, code_id FROM paired
    ON CONFLICT (incentive_id, send_id) DO NOTHING
    RETURNING send_id, code_id
  )
  UPDATE catalog.incentive_codes c SET issued_at = now() FROM issued
   WHERE c.id = issued.code_id
  RETURNING $1::int AS "incentiveId", issued.send_id AS "sendId", c.code`;

/** catalog.incentives with their codes (catalog.incentive_codes) and who got which (catalog.incentive_issues). */
type LockedIncentiveRow = IncentiveFields & SavedRow & { expiresAt: Date | null };
interface ContentRefRow {
  type: string;
  id: number;
}
interface ExistsRow {
  one: number;
}

@Injectable()
export class IncentivesRepository {
  constructor(private readonly ds: DataSource) {}

  async find(id: number, em: EntityManager = this.ds.manager): Promise<IncentiveRow | undefined> {
    const rows = await em.query<IncentiveRow[]>(`${SELECT} ${FROM} WHERE i.id = $1`, [id]);
    return rows[0];
  }

  page(query: ListQuery): Promise<{ rows: IncentiveRow[]; total: number }> {
    return selectPage<IncentiveRow>(this.ds, buildListSql(SPEC, query), SELECT, FROM);
  }

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  /** The pool's own row, held for update until `em` commits. */
  async lock(em: EntityManager, id: number): Promise<(IncentiveFields & SavedRow) | undefined> {
    const rows = await em.query<LockedIncentiveRow[]>(
      `SELECT id, version, name, description, is_published AS "isPublished", expires_at AS "expiresAt"
         FROM catalog.incentives WHERE id = $1 FOR UPDATE`,
      [id],
    );
    const row = rows[0];
    return row && { ...row, expiresAt: row.expiresAt ? new Date(row.expiresAt).toISOString() : null };
  }

  async insert(
    em: EntityManager,
    f: IncentiveFields,
    authorId: number | null,
    author: string | null,
  ): Promise<SavedRow> {
    const rows = await em.query<SavedRow[]>(
      `INSERT INTO catalog.incentives (name, description, is_published, expires_at, created_by, created_by_user)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, version`,
      [f.name, f.description, f.isPublished, f.expiresAt, authorId, author],
    );
    return rows[0];
  }

  async update(
    em: EntityManager,
    id: number,
    f: IncentiveFields,
    authorId: number | null,
    author: string | null,
  ): Promise<SavedRow> {
    const rows = await returning<SavedRow>(
      em,
      `UPDATE catalog.incentives SET name = $2, description = $3, is_published = $4, expires_at = $5,
              modified_by = $6, modified_by_user = $7, date_modified = now(), version = version + 1
        WHERE id = $1 RETURNING id, version`,
      [id, f.name, f.description, f.isPublished, f.expiresAt, authorId, author],
    );
    return rows[0];
  }

  async delete(em: EntityManager, id: number): Promise<void> {
    await execute(em, 'DELETE FROM catalog.incentives WHERE id = $1', [id]);
  }

  /** Up to `limit` ids of the content items that take codes from the pool. */
  async contentUsing(em: EntityManager, id: number, limit: number): Promise<{ type: string; id: number }[]> {
    return em.query<ContentRefRow[]>(
      `SELECT type, id FROM catalog.contents WHERE fields ? 'incentiveId' AND (fields->>'incentiveId')::int = $1
        ORDER BY id LIMIT $2`,
      [id, limit],
    );
  }

  /** Whether the pool exists, kept so until `em` commits (a delete waits, then finds the content using it). */
  async holdForUse(em: EntityManager, id: number): Promise<boolean> {
    const rows = await em.query<ExistsRow[]>('SELECT 1 AS one FROM catalog.incentives WHERE id = $1 FOR SHARE', [id]);
    return rows.length > 0;
  }

  /** Adds codes; those the pool holds already are left as they are. Returns how many were new. */
  async addCodes(id: number, codes: string[]): Promise<number> {
    const rows = await this.ds.query<ExistsRow[]>(
      `INSERT INTO catalog.incentive_codes (incentive_id, code) SELECT $1, code FROM unnest($2::text[]) AS code
       ON CONFLICT (incentive_id, code) DO NOTHING RETURNING 1 AS one`,
      [id, codes],
    );
    return rows.length;
  }

  /** New codes for the sends of one pool that have none (see CLAIM_SQL); `sendIds` are distinct. */
  claim(incentiveId: number, sendIds: string[]): Promise<IssuedRow[]> {
    return this.ds.query<IssuedRow[]>(CLAIM_SQL, [incentiveId, sendIds]);
  }

  /** The codes these sends hold already. */
  issued(incentiveId: number, sendIds: string[]): Promise<IssuedRow[]> {
    return this.ds.query<IssuedRow[]>(
      `SELECT x.incentive_id AS "incentiveId", x.send_id AS "sendId", c.code
         FROM catalog.incentive_issues x JOIN catalog.incentive_codes c ON c.id = x.code_id
        WHERE x.incentive_id = $1 AND x.send_id = ANY($2::text[])`,
      [incentiveId, sendIds],
    );
  }
}
