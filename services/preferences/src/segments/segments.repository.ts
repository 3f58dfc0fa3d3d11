import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SegmentFilter, WhereClause } from '@switchboard/contracts';
import {
  isIntId,
  parseSearch,
  whereSql,
  type Columns,
  execute,
  type Queryable,
  returning,
} from '@switchboard/persistence';

/** A row of preferences.segments. */
export interface SegmentRecord {
  id: number;
  name: string;
  publicName: string | null;
  alias: string;
  description: string | null;
  category: string | null;
  isPublished: boolean;
  isGlobal: boolean;
  isPreferenceCenter: boolean;
  filters: SegmentFilter[];
  createdById: number | null;
  createdBy: string | null;
  modifiedById: number | null;
  modifiedBy: string | null;
  dateAdded: Date;
  dateModified: Date | null;
}

type SegmentRow = Omit<SegmentRecord, 'id'> & { id: string };

const COLUMNS = `s.id, s.name, s.public_name AS "publicName", s.alias, s.description, s.category,
  s.is_published AS "isPublished", s.is_global AS "isGlobal", s.is_preference_center AS "isPreferenceCenter",
  s.filters, s.created_by_id AS "createdById", s.created_by AS "createdBy", s.modified_by_id AS "modifiedById",
  s.modified_by AS "modifiedBy", s.date_added AS "dateAdded", s.date_modified AS "dateModified"`;

const toRecord = (row: SegmentRow): SegmentRecord => ({ ...row, id: Number(row.id) });

export type SegmentWrite = Omit<SegmentRecord, 'id' | 'dateAdded' | 'dateModified' | 'createdById' | 'createdBy'>;

export interface SegmentListQuery {
  search?: string;
  start: number;
  limit: number;
  orderBy: 'id' | 'name' | 'alias' | 'date_added' | 'date_modified' | 'is_published';
  orderByDir: 'asc' | 'desc';
  publishedOnly: boolean;
  where?: WhereClause[];
}

/** What `where[][col]` may name, as the API spells the fields. */
const WHERE_COLUMNS: Columns = {
  id: { sql: 's.id', type: 'int' },
  name: { sql: 's.name', type: 'text' },
  publicName: { sql: 's.public_name', type: 'text' },
  alias: { sql: 's.alias', type: 'text' },
  description: { sql: 's.description', type: 'text' },
  category: { sql: 's.category', type: 'text' },
  isPublished: { sql: 's.is_published', type: 'bool' },
  isGlobal: { sql: 's.is_global', type: 'bool' },
  isPreferenceCenter: { sql: 's.is_preference_center', type: 'bool' },
  dateAdded: { sql: 's.date_added', type: 'date' },
  dateModified: { sql: 's.date_modified', type: 'date' },
  createdByUser: { sql: 's.created_by', type: 'text' },
  modifiedByUser: { sql: 's.modified_by', type: 'text' },
};

interface AliasRow {
  alias: string;
}
interface TotalRow {
  total: number;
}
interface MembershipChangeRow {
  id: string;
  removed: boolean;
}
interface IdRow {
  id: string;
}
interface ContactIdRow {
  contactId: string;
}

@Injectable()
export class SegmentsRepository {
  constructor(private readonly ds: DataSource) {}

  transaction<T>(work: (sql: Queryable) => Promise<T>): Promise<T> {
    return this.ds.transaction((em) => work(em));
  }

  async findMany(ids: number[], sql: Queryable = this.ds): Promise<SegmentRecord[]> {
    if (ids.length === 0) return [];
    const rows = await sql.query<SegmentRow[]>(
      `SELECT ${COLUMNS} FROM preferences.segments s WHERE s.id = ANY($1::bigint[]) ORDER BY s.id`,
      [ids],
    );
    return rows.map(toRecord);
  }

  async findOne(id: number, sql: Queryable = this.ds, lock = false): Promise<SegmentRecord | undefined> {
    const rows = await sql.query<SegmentRow[]>(
      `SELECT ${COLUMNS} FROM preferences.segments s WHERE s.id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows.map(toRecord)[0];
  }

  async findByAlias(alias: string): Promise<SegmentRecord | undefined> {
    const rows = await this.ds.query<SegmentRow[]>(`SELECT ${COLUMNS} FROM preferences.segments s WHERE s.alias = $1`, [
      alias,
    ]);
    return rows.map(toRecord)[0];
  }

  /** The first of `base`, `base-2`, `base-3`... that no other segment uses. */
  async freeAlias(base: string, exceptId: number | null, sql: Queryable): Promise<string> {
    const rows = await sql.query<AliasRow[]>(
      `SELECT alias FROM preferences.segments WHERE (alias = $1 OR alias ~ ('^' || $2 || '-[0-9]+$')) AND id IS DISTINCT FROM $3`,
      [base, base.replace(/[^a-z0-9_]/g, '\\$&'), exceptId],
    );
    const taken = new Set(rows.map((r) => r.alias));
    if (!taken.has(base)) return base;
    for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  }

  async insert(
    id: number | undefined,
    s: SegmentWrite & { createdById: number | null; createdBy: string | null },
    sql: Queryable,
  ): Promise<SegmentRecord> {
    const rows = await sql.query<SegmentRow[]>(
      `INSERT INTO preferences.segments AS s (id, name, public_name, alias, description, category, is_published, is_global,
         is_preference_center, filters, created_by_id, created_by)
       VALUES (coalesce($1, nextval(pg_get_serial_sequence('preferences.segments', 'id'))), $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)
       RETURNING ${COLUMNS}`,
      [
        id ?? null,
        s.name,
        s.publicName,
        s.alias,
        s.description,
        s.category,
        s.isPublished,
        s.isGlobal,
        s.isPreferenceCenter,
        JSON.stringify(s.filters),
        s.createdById,
        s.createdBy,
      ],
    );
    return toRecord(rows[0]);
  }

  async update(id: number, s: SegmentWrite, sql: Queryable): Promise<SegmentRecord> {
    const rows = await returning<SegmentRow>(
      sql,
      `UPDATE preferences.segments s SET name = $2, public_name = $3, alias = $4, description = $5, category = $6,
         is_published = $7, is_global = $8, is_preference_center = $9, filters = $10::jsonb, modified_by_id = $11,
         modified_by = $12, date_modified = now()
       WHERE s.id = $1 RETURNING ${COLUMNS}`,
      [
        id,
        s.name,
        s.publicName,
        s.alias,
        s.description,
        s.category,
        s.isPublished,
        s.isGlobal,
        s.isPreferenceCenter,
        JSON.stringify(s.filters),
        s.modifiedById,
        s.modifiedBy,
      ],
    );
    return toRecord(rows[0]);
  }

  async delete(id: number, sql: Queryable): Promise<void> {
    await execute(sql, 'DELETE FROM preferences.segments WHERE id = $1', [id]);
  }

  /** An explicit id given to PUT moves the sequence past it, so later creates never collide. */
  async bumpSequence(sql: Queryable): Promise<void> {
    await execute(
      sql,
      `SELECT setval(pg_get_serial_sequence('preferences.segments', 'id'), greatest((SELECT max(id) FROM preferences.segments), 1))`,
    );
  }

  async list(q: SegmentListQuery): Promise<{ total: number; records: SegmentRecord[] }> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (q.publishedOnly) where.push('s.is_published');
    const term = parseSearch(q.search, isIntId);
    if (term && 'ids' in term) {
      params.push(term.ids.map(Number));
      where.push(`s.id = ANY($${params.length}::bigint[])`);
    } else if (term) {
      params.push(term.like);
      const match = `(s.name ILIKE $${params.length} OR s.alias ILIKE $${params.length} OR coalesce(s.description, '') ILIKE $${params.length})`;
      where.push(term.negate ? `NOT ${match}` : match);
    }
    where.push(...whereSql(WHERE_COLUMNS, q.where, { add: (value) => `$${params.push(value)}` }));
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.ds.query<TotalRow[]>(
      `SELECT count(*)::int AS total FROM preferences.segments s ${clause}`,
      params,
    );
    let text = `SELECT ${COLUMNS} FROM preferences.segments s ${clause}
      ORDER BY s.${q.orderBy} ${q.orderByDir === 'desc' ? 'DESC' : 'ASC'} NULLS LAST, s.id OFFSET $${params.push(q.start)}`;
    if (q.limit > 0) text += ` LIMIT $${params.push(q.limit)}`;
    const rows = await this.ds.query<SegmentRow[]>(text, params);
    return { total, records: rows.map(toRecord) };
  }

  /** Whether PostgreSQL accepts `pattern` as a regular expression (its syntax is POSIX, not JavaScript's). */
  async isValidRegex(pattern: string): Promise<boolean> {
    try {
      await execute(this.ds, "SELECT '' ~* $1", [pattern]);
      return true;
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code === '2201B') return false;
      throw error;
    }
  }

  /** Which of the segments have members added by hand, and which have members removed by hand. */
  async handMembership(ids: number[]): Promise<{ added: Set<number>; removed: Set<number> }> {
    const rows = await this.ds.query<MembershipChangeRow[]>(
      `SELECT s.id, r.removed FROM unnest($1::bigint[]) AS s(id), (VALUES (false), (true)) AS r(removed)
        WHERE EXISTS (SELECT 1 FROM preferences.segment_members m WHERE m.segment_id = s.id AND m.manually_removed = r.removed)`,
      [ids],
    );
    const added = new Set<number>();
    const removed = new Set<number>();
    for (const r of rows) (r.removed ? removed : added).add(Number(r.id));
    return { added, removed };
  }

  /** Segments whose static members include the contact (not removed by hand). */
  async staticSegmentIdsOf(contactId: string): Promise<number[]> {
    const rows = await this.ds.query<IdRow[]>(
      'SELECT segment_id AS id FROM preferences.segment_members WHERE contact_id = $1 AND NOT manually_removed',
      [contactId],
    );
    return rows.map((r) => Number(r.id));
  }

  /** Ids of every segment with filters. */
  async dynamicSegmentIds(): Promise<number[]> {
    const rows = await this.ds.query<IdRow[]>(
      "SELECT id FROM preferences.segments WHERE filters <> '[]'::jsonb ORDER BY id",
    );
    return rows.map((r) => Number(r.id));
  }

  /** Adds the contacts that exist among `contactIds` (one removed by hand comes back); answers those ids. */
  async addMembers(segmentId: number, contactIds: string[], sql: Queryable = this.ds): Promise<string[]> {
    const rows = await sql.query<ContactIdRow[]>(
      `INSERT INTO preferences.segment_members (segment_id, contact_id)
       SELECT $1, c.id FROM preferences.contacts c WHERE c.id = ANY($2::text[]) ORDER BY c.id
       ON CONFLICT (segment_id, contact_id) DO UPDATE SET manually_removed = false
       RETURNING contact_id AS "contactId"`,
      [segmentId, contactIds],
    );
    return rows.map((r) => r.contactId);
  }

  /** Marks the contacts as removed by hand (so a dynamic segment's filters no longer take them in). */
  async removeMembers(segmentId: number, contactIds: string[], sql: Queryable = this.ds): Promise<string[]> {
    const rows = await sql.query<ContactIdRow[]>(
      `INSERT INTO preferences.segment_members (segment_id, contact_id, manually_removed)
       SELECT $1, c.id, true FROM preferences.contacts c WHERE c.id = ANY($2::text[]) ORDER BY c.id
       ON CONFLICT (segment_id, contact_id) DO UPDATE SET manually_removed = true
       RETURNING contact_id AS "contactId"`,
      [segmentId, contactIds],
    );
    return rows.map((r) => r.contactId);
  }
}
