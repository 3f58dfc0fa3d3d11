import { Client } from 'pg';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { execute } from './statements';

export interface ServiceDataSourceOptions {
  url: string;
  /** The Postgres schema the service owns. */
  schema: string;
  entities?: MixedList<Function | string | EntitySchema>;
  /** Migration classes named `<epoch>-<Name>`; plain SQL in `up`/`down`. */
  migrations?: MixedList<Function | string>;
  poolSize?: number;
}

interface FoundRow {
  found: 1;
}

export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    // The schema names the service's connections in pg_stat_activity (and per-backend CPU). Named
    // statements (queryPrepared) save the parse only: a generic plan, kept until the next ANALYZE,
    // could be one made while a table was tiny (a scan of it per key of every later batch).
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.schema,
      options: '-c plan_cache_mode=force_custom_plan',
    },
    logging: false,
  });
}

/**
 * Creates the schema and applies pending migrations under an advisory lock, so that several
 * instances booting at once apply each migration exactly once.
 */
export async function migrate(ds: DataSource, schema: string): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await execute(runner.manager, 'SELECT pg_advisory_lock(hashtext($1))', [`switchboard.migrate.${schema}`]);
    await execute(runner.manager, `CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await execute(runner.manager, 'SELECT pg_advisory_unlock(hashtext($1))', [`switchboard.migrate.${schema}`]).catch(
      () => undefined,
    );
    await runner.release();
  }
}

/** Creates the database of `url` when it does not exist (connecting to the `postgres` database). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query<FoundRow>('SELECT 1 AS found FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client
        .query<never>(`CREATE DATABASE "${name.replace(/"/g, '""')}"`)
        .catch((error: Error & { code?: string }) => {
          if (error.code !== '42P04') throw error; // created concurrently
        });
    }
  } finally {
    await client.end();
  }
}
