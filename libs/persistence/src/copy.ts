import type { Connection, PoolClient, Submittable } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { transactionClient, type Queryable } from './statements';

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

/** Characters a piece of `copyLines` gathers before the next one starts: far under V8's large-object size (~128 KiB). */
const PIECE_CHARS = 16 * 1024;

/**
 * COPY text of `items`, a line each by `line` (its fields by `copyField`, tab-separated, ending in
 * a newline), gathered in pieces of ~16 KiB rather than one string, for `copyIn`: one string past
 * V8's large-object size cost ~1.3 µs a row more to build and send than its pieces (1,000 decision
 * rows, ~233 KB), and nothing below that size (500 rows).
 */
export function copyLines<T>(items: readonly T[], line: (item: T) => string): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const item of items) {
    piece += line(item);
    if (piece.length >= PIECE_CHARS) {
      pieces.push(piece);
      piece = '';
    }
  }
  if (piece !== '' || pieces.length === 0) pieces.push(piece);
  return pieces;
}

/**
 * Sends rows in COPY's text format (fields by `copyField`, tab-separated, one line a row) to
 * `COPY <target> FROM STDIN`: `target` is the table and its column list; `rows` is one string or
 * pieces of whole lines (`copyLines`). Given the DataSource, the
 * COPY runs on a pooled connection of its own and is a transaction of its own: it stores every row
 * or, on any error (such as a unique violation), none. Given a transaction's EntityManager, it runs
 * on that transaction's connection, after its statements and under its locks, and an error aborts
 * that transaction (which its caller then rolls back). The error is thrown as pg's DatabaseError.
 */
export async function copyIn(db: Queryable, target: string, rows: string | readonly string[]): Promise<void> {
  const client = await transactionClient(db);
  if (client) return copyOn(client, target, rows);
  const runner = (db instanceof DataSource ? db : (db as EntityManager).connection).createQueryRunner();
  try {
    // TypeORM has no COPY: the query runner's pg connection runs it.
    await copyOn((await runner.connect()) as PoolClient, target, rows);
  } finally {
    await runner.release();
  }
}

function copyOn(client: PoolClient, target: string, rows: string | readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    void client.query<CopyFromText>(
      new CopyFromText(`COPY ${target} FROM STDIN`, rows, (error) => (error ? reject(error) : resolve())),
    );
  });
}

/**
 * `COPY … FROM STDIN` as a query pg's client queues like its own: the Query message, the rows as
 * one CopyData and CopyDone go out in one socket write, without waiting for the server's
 * CopyInResponse (pg-copy-streams waited for it: a round trip and four writes a COPY, which cost
 * both processes more than the statement saved on small batches). The protocol allows it: when
 * the COPY fails, before or during copy-in, the server drops the CopyData and CopyDone that follow.
 */
class CopyFromText implements Submittable {
  constructor(
    private readonly statement: string,
    private readonly rows: string | readonly string[],
    private readonly settle: (error?: Error) => void,
  ) {}

  submit(connection: Connection): void {
    connection.stream.write(copyMessages(this.statement, this.rows));
  }

  handleCopyInResponse(): void {}

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    this.settle();
  }

  /** pg calls this instead of handleReadyForQuery when the server answers an error. */
  handleError(error: Error): void {
    this.settle(error);
  }
}

const QUERY = 0x51; // 'Q'
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'

function copyMessages(statement: string, rows: string | readonly string[]): Buffer {
  const pieces = typeof rows === 'string' ? [rows] : rows;
  const statementBytes = Buffer.byteLength(statement);
  let rowBytes = 0;
  for (const piece of pieces) rowBytes += Buffer.byteLength(piece);
  const message = Buffer.allocUnsafe(5 + statementBytes + 1 + 5 + rowBytes + 5);
  let at = message.writeUInt8(QUERY, 0);
  at = message.writeInt32BE(4 + statementBytes + 1, at);
  at += message.write(statement, at);
  at = message.writeUInt8(0, at);
  at = message.writeUInt8(COPY_DATA, at);
  at = message.writeInt32BE(4 + rowBytes, at);
  for (const piece of pieces) at += message.write(piece, at);
  at = message.writeUInt8(COPY_DONE, at);
  message.writeInt32BE(4, at);
  return message;
}
