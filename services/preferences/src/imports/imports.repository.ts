import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { execute, type Queryable, returning } from '@switchboard/persistence';

export type ImportStatus = 'uploading' | 'queued' | 'running' | 'completed' | 'failed';

/** A row of preferences.imports. */
export interface ImportRecord {
  id: number;
  segmentId: number | null;
  status: ImportStatus;
  chunks: number;
  bytes: number;
  bytesProcessed: number;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  error: string | null;
  dateAdded: Date;
  dateModified: Date | null;
}

type ImportRow = Omit<ImportRecord, 'id' | 'segmentId' | 'bytes' | 'bytesProcessed'> & {
  id: string;
  segmentId: string | null;
  bytes: string;
  bytesProcessed: string;
};

const COLUMNS = `i.id, i.segment_id AS "segmentId", i.status, i.chunks, i.bytes, i.bytes_processed AS "bytesProcessed",
  i.processed, i.created, i.updated, i.unchanged, i.failed, i.error, i.date_added AS "dateAdded", i.date_modified AS "dateModified"`;

const toRecord = (r: ImportRow): ImportRecord => ({
  ...r,
  id: Number(r.id),
  segmentId: r.segmentId === null ? null : Number(r.segmentId),
  bytes: Number(r.bytes),
  bytesProcessed: Number(r.bytesProcessed),
});

/** What one committed batch adds to an import's counters. */
export interface BatchProgress {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  bytesProcessed: number;
  errors: { row: number; message: string }[];
}

/** One contact of an import batch: its id and the properties the file gives (absent = unchanged). */
export interface ImportedContact {
  id: string;
  email?: string | null;
  mobile?: string | null;
  firstname?: string | null;
  lastname?: string | null;
  locale?: string | null;
  timezone?: string | null;
  twitterHandle?: string | null;
  preferredChannel?: string | null;
  fields?: Record<string, unknown>;
}

/** Reported errors per import (the rest are counted only). */
export const MAX_REPORTED_ERRORS = 1000;

/** A row of the file that could not be imported, and why. */
export interface ImportErrorRow {
  row: number;
  message: string;
}

interface IdRow {
  id: string;
}
interface SeqRow {
  seq: number;
}
interface ChunkRow {
  data: Buffer;
}
interface UpsertCountsRow {
  created: number;
  updated: number;
}
interface EmailIdRow {
  email: string;
  id: string;
}

@Injectable()
export class ImportsRepository {
  constructor(private readonly ds: DataSource) {}

  transaction<T>(work: (sql: Queryable) => Promise<T>): Promise<T> {
    return this.ds.transaction((em) => work(em));
  }

  async open(segmentId: number): Promise<number> {
    const [{ id }] = await this.ds.query<IdRow[]>(
      'INSERT INTO preferences.imports (segment_id) VALUES ($1) RETURNING id',
      [segmentId],
    );
    return Number(id);
  }

  async find(id: number): Promise<ImportRecord | undefined> {
    const rows = await this.ds.query<ImportRow[]>(`SELECT ${COLUMNS} FROM preferences.imports i WHERE i.id = $1`, [id]);
    return rows.map(toRecord)[0];
  }

  async errors(id: number): Promise<ImportErrorRow[]> {
    return this.ds.query<ImportErrorRow[]>(
      'SELECT row, message FROM preferences.import_errors WHERE import_id = $1 ORDER BY row LIMIT $2',
      [id, MAX_REPORTED_ERRORS],
    );
  }

  /** Stores one chunk while the import is uploading; a repeated seq is ignored. */
  async storeChunk(id: number, seq: number, data: Buffer): Promise<boolean> {
    const rows = await this.ds.query<SeqRow[]>(
      `INSERT INTO preferences.import_chunks (import_id, seq, data)
       SELECT $1, $2, $3 FROM preferences.imports WHERE id = $1 AND status = 'uploading'
       ON CONFLICT DO NOTHING RETURNING seq`,
      [id, seq, data],
    );
    return rows.length > 0;
  }

  /** Closes the upload: queued when every chunk 0..chunks-1 is stored, else failed. */
  async close(id: number, chunks: number, aborted: boolean): Promise<void> {
    await execute(
      this.ds,
      `UPDATE preferences.imports i
          SET chunks = s.n, bytes = s.bytes, date_modified = now(),
              status = CASE WHEN NOT $3 AND s.n = $2 AND s.maxseq = $2 - 1 THEN 'queued' ELSE 'failed' END,
              error = CASE WHEN $3 THEN 'The upload broke off.' WHEN s.n <> $2 OR s.maxseq <> $2 - 1 THEN 'The upload is incomplete.' END
         FROM (SELECT count(*)::int AS n, coalesce(sum(length(data)), 0) AS bytes, coalesce(max(seq), -1) AS maxseq
                 FROM preferences.import_chunks WHERE import_id = $1) s
        WHERE i.id = $1 AND i.status = 'uploading'`,
      [id, chunks, aborted],
    );
  }

  /**
   * Claims the oldest queued import, or a running one whose lease ran out (its worker died): the
   * lease is renewed with every batch, so an import held by a live worker is never taken twice.
   */
  async claim(leaseMs: number): Promise<ImportRecord | undefined> {
    const rows = await returning<ImportRow>(
      this.ds,
      `UPDATE preferences.imports i SET status = 'running', lease_until = now() + $1 * interval '1 millisecond', date_modified = now()
        WHERE i.id = (SELECT id FROM preferences.imports
                       WHERE status = 'queued' OR (status = 'running' AND lease_until < now())
                       ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      [leaseMs],
    );
    return rows.map(toRecord)[0];
  }

  /** Stored chunks from `seq` on, one at a time (the file is never held whole). */
  async chunk(id: number, seq: number): Promise<Buffer | undefined> {
    const rows = await this.ds.query<ChunkRow[]>(
      'SELECT data FROM preferences.import_chunks WHERE import_id = $1 AND seq = $2',
      [id, seq],
    );
    return rows[0]?.data;
  }

  /** Adds a committed batch to the counters and renews the lease, in the batch's transaction. */
  async progress(id: number, p: BatchProgress, leaseMs: number, sql: Queryable): Promise<void> {
    await execute(
      sql,
      `UPDATE preferences.imports SET processed = processed + $2, created = created + $3, updated = updated + $4,
         unchanged = unchanged + $5, failed = failed + $6, bytes_processed = $7,
         lease_until = now() + $8 * interval '1 millisecond', date_modified = now()
       WHERE id = $1`,
      [id, p.rows, p.created, p.updated, p.unchanged, p.failed, p.bytesProcessed, leaseMs],
    );
    if (p.errors.length === 0) return;
    await execute(
      sql,
      `INSERT INTO preferences.import_errors (import_id, row, message)
       SELECT $1, x.row, x.message FROM jsonb_to_recordset($2::jsonb) AS x(row int, message text)
        ORDER BY x.row LIMIT greatest(0, $3 - (SELECT count(*) FROM preferences.import_errors WHERE import_id = $1))
       ON CONFLICT DO NOTHING`,
      [id, JSON.stringify(p.errors), MAX_REPORTED_ERRORS],
    );
  }

  /** Ends the import; its stored file is dropped (the counters and errors stay). */
  async finish(
    id: number,
    status: 'completed' | 'failed',
    error: string | null,
    bytesProcessed?: number,
  ): Promise<void> {
    await this.ds.transaction(async (sql) => {
      await execute(
        sql,
        `UPDATE preferences.imports SET status = $2, error = $3, lease_until = NULL, date_modified = now(),
           bytes_processed = coalesce($4, bytes_processed) WHERE id = $1`,
        [id, status, error, bytesProcessed ?? null],
      );
      await execute(sql, 'DELETE FROM preferences.import_chunks WHERE import_id = $1', [id]);
    });
  }

  /**
   * Merge-upserts a batch of imported contacts (one per id) and adds them to the segment, in one
   * statement: given values replace, absent ones stay, custom fields merge by key. A contact whose
   * values come out as they were is not written, so a re-import changes nothing.
   */
  async upsertRows(
    segmentId: number,
    rows: ImportedContact[],
    sql: Queryable,
  ): Promise<{ created: number; updated: number }> {
    const [counts] = await sql.query<UpsertCountsRow[]>(
      `WITH x AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, email text, mobile text, firstname text, lastname text,
           locale text, timezone text, "twitterHandle" text, "preferredChannel" text, fields jsonb)
       ), up AS (
         INSERT INTO preferences.contacts AS c (id, email, mobile, firstname, lastname, locale, timezone, twitter_handle,
           preferred_channel, fields)
         SELECT id, email, mobile, firstname, lastname, locale, timezone, "twitterHandle", "preferredChannel",
                coalesce(fields, '{}'::jsonb)
           FROM x ORDER BY id
         ON CONFLICT (id) DO UPDATE SET
           email = coalesce(excluded.email, c.email), mobile = coalesce(excluded.mobile, c.mobile),
           firstname = coalesce(excluded.firstname, c.firstname), lastname = coalesce(excluded.lastname, c.lastname),
           locale = coalesce(excluded.locale, c.locale), timezone = coalesce(excluded.timezone, c.timezone),
           twitter_handle = coalesce(excluded.twitter_handle, c.twitter_handle),
           preferred_channel = coalesce(excluded.preferred_channel, c.preferred_channel),
           fields = c.fields || excluded.fields, date_modified = now()
         WHERE (coalesce(excluded.email, c.email), coalesce(excluded.mobile, c.mobile), coalesce(excluded.firstname, c.firstname),
                coalesce(excluded.lastname, c.lastname), coalesce(excluded.locale, c.locale), coalesce(excluded.timezone, c.timezone),
                coalesce(excluded.twitter_handle, c.twitter_handle), coalesce(excluded.preferred_channel, c.preferred_channel),
                c.fields || excluded.fields)
           IS DISTINCT FROM (c.email, c.mobile, c.firstname, c.lastname, c.locale, c.timezone, c.twitter_handle,
                c.preferred_channel, c.fields)
         RETURNING (xmax = 0) AS created
       ), members AS (
         INSERT INTO preferences.segment_members (segment_id, contact_id)
         SELECT $2, id FROM x ORDER BY id
         ON CONFLICT (segment_id, contact_id) DO UPDATE SET manually_removed = false WHERE segment_members.manually_removed
       )
       SELECT count(*) FILTER (WHERE created)::int AS created, count(*) FILTER (WHERE NOT created)::int AS updated FROM up`,
      [JSON.stringify(rows), segmentId],
    );
    return counts;
  }

  /**
   * Ids of contacts with these emails (lower case), the oldest contact per email: one index probe
   * per email, whatever the planner's statistics say. As `lower(email) = ANY($1)` it was a
   * parallel sequential scan of every contact per batch whenever `lower(email)` had no statistics
   * (a new table, or one that grew since it was analyzed): 100 µs of CPU per imported row at a
   * million contacts, and the import slowed as it went.
   */
  async idsByEmail(emails: string[], sql: Queryable): Promise<Map<string, string>> {
    if (emails.length === 0) return new Map();
    const rows = await sql.query<EmailIdRow[]>(
      `SELECT e.email, x.id FROM unnest($1::text[]) AS e(email)
       CROSS JOIN LATERAL (SELECT c.id FROM preferences.contacts c WHERE lower(c.email) = e.email AND c.email IS NOT NULL
                           ORDER BY c.date_added, c.id LIMIT 1) x`,
      [[...new Set(emails)]],
    );
    return new Map(rows.map((r) => [r.email, r.id]));
  }

  /**
   * No JIT compilation in an import's transactions: the planner's estimates for a batch over a
   * table that grows by the minute can cross the JIT thresholds, and compiling costs ~100 ms, more
   * than the batch's statements themselves.
   */
  async withoutJit(sql: Queryable): Promise<void> {
    await execute(sql, 'SET LOCAL jit = off');
  }
}
