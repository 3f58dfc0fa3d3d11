import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPED = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * One field of COPY's text format: `\N` for null, else the value with the four characters the
 * format reserves (backslash, newline, carriage return, tab) escaped. Objects go in as their JSON
 * (a json or jsonb column).
 */
export function copyField(value: string | number | boolean | object | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (c) => ESCAPES[c]) : text;
}

/**
 * Streams rows in COPY's text format (fields by `copyField`, tab-separated, one line a row) into
 * `COPY <target> FROM STDIN`: `target` is the table and its column list. The COPY is a
 * transaction of its own: it stores every row or, on any error (such as a unique violation),
 * none, and the error is thrown as pg's DatabaseError.
 */
export async function copyIn(ds: DataSource, target: string, rows: string): Promise<void> {
  const runner = ds.createQueryRunner();
  try {
    // TypeORM has no COPY: the query runner's pg connection streams it (pg-copy-streams).
    const client = (await runner.connect()) as PoolClient;
    const stream = client.query<CopyStreamQuery>(copyFrom(`COPY ${target} FROM STDIN`));
    stream.end(rows);
    await finished(stream);
  } finally {
    await runner.release();
  }
}
