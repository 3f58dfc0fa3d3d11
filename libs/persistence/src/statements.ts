import type { EntityManager } from 'typeorm';

/**
 * Anything that runs SQL: the DataSource or a transaction's EntityManager. Every statement outside
 * migrations goes through one of these three shapes (an ESLint rule keeps it so):
 * - `db.query<FooRow[]>(sql, params)`: SELECT, INSERT ... RETURNING, or a WITH ending in either;
 * - `returning<FooRow>(db, sql, params)`: UPDATE/DELETE ... RETURNING, whose result TypeORM wraps;
 * - `execute(db, sql, params)`: a statement whose rows nobody reads.
 */
export type Queryable = Pick<EntityManager, 'query'>;

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
