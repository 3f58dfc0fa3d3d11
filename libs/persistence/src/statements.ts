import type { PoolClient, QueryResultRow } from 'pg';
import type { EntityManager } from 'typeorm';

/**
 * Anything that runs SQL: the DataSource or a transaction's EntityManager. Every statement outside
 * migrations goes through one of these three shapes (an ESLint rule keeps it so):
 * - `db.query<FooRow[]>(sql, params)`: SELECT, INSERT ... RETURNING, or a WITH ending in either;
 * - `returning<FooRow>(db, sql, params)`: UPDATE/DELETE ... RETURNING, whose result TypeORM wraps;
 * - `execute(db, sql, params)`: a statement whose rows nobody reads.
 */
export type Queryable = Pick<EntityManager, 'query'>;

/** A hot-path statement each pooled connection parses once and keeps under `name` (see `queryPrepared`). */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

/**
 * The rows of a SELECT (or a WITH ending in one) run as a named prepared statement when `db` is a
 * transaction's EntityManager: PostgreSQL parses it once per connection instead of at every run
 * (for a decision batch of 20, ~100 µs of the backend a statement). Every run is still planned for
 * its own parameters: service connections run with plan_cache_mode=force_custom_plan
 * (createServiceDataSource), so no plan made for other data, such as a table that was still tiny,
 * is kept. Elsewhere (a DataSource) it is an ordinary query.
 */
export async function queryPrepared<Row extends QueryResultRow>(
  db: Queryable,
  statement: PreparedStatement,
  params: unknown[],
): Promise<Row[]> {
  const client = await transactionClient(db);
  // TypeORM's query() takes no statement name: the transaction's pg client runs it.
  if (!client) return db.query<Row[]>(statement.text, params);
  return (await client.query<Row>({ name: statement.name, text: statement.text, values: params })).rows;
}

/**
 * The pg client a transaction's EntityManager already holds (its query runner's connect() answers
 * it), for what TypeORM cannot run itself (a named prepared statement, COPY); undefined for a
 * DataSource or an EntityManager outside a transaction.
 */
export async function transactionClient(db: Queryable): Promise<PoolClient | undefined> {
  const runner = (db as Partial<EntityManager>).queryRunner;
  return runner ? ((await runner.connect()) as PoolClient) : undefined;
}

/** Runs a statement for its effect; whatever it returns is not read. */
export async function execute(db: Queryable, sql: string, params?: unknown[]): Promise<void> {
  await db.query<unknown>(sql, params);
}

/** The rows of an UPDATE or DELETE ... RETURNING (TypeORM answers `[rows, affected]` for those). */
export async function returning<Row>(db: Queryable, sql: string, params?: unknown[]): Promise<Row[]> {
  return returnedRows<Row>(await db.query<unknown>(sql, params));
}

/** TypeORM answers `[rows, count]` for UPDATE/DELETE, rows otherwise: the rows either way. */
function returnedRows<Row>(result: unknown): Row[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as Row[];
  return result as Row[];
}
