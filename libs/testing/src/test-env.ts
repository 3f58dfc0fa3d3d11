import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { NatsNames } from '@switchboard/contracts';
import { buildBaseConfig, type BaseConfig } from '@switchboard/config';
import { deleteStreams, ensureStreams } from '@switchboard/messaging';
import { ensureDatabase } from '@switchboard/persistence';

export interface TestEnv {
  prefix: string;
  names: NatsNames;
  natsUrl: string;
  databaseUrl: string;
  /** The base config every service of this run uses. */
  config: BaseConfig;
  /** Deletes the run's streams and drops its database. */
  cleanup(): Promise<void>;
}

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/switchboard';

/**
 * An isolated environment on the machine's real NATS and PostgreSQL: a unique subject/stream
 * prefix and a database of its own, so that parallel runs never collide.
 */
export async function createTestEnv(): Promise<TestEnv> {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const names = new NatsNames(prefix);
  const db = new URL(DATABASE_URL);
  db.pathname = `/sb_test_${prefix}`;
  const databaseUrl = db.toString();
  await ensureDatabase(databaseUrl);
  const nc = await connect({ servers: NATS_URL });
  await ensureStreams(await jetstreamManager(nc), names);
  await nc.close();
  const config = buildBaseConfig({
    NATS_URL,
    DATABASE_URL: databaseUrl,
    SB_PREFIX: prefix,
    HEALTH_PORT: 0,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MIGRATE_ON_BOOT: true,
    MIGRATE_ONLY: false,
    SB_STREAM_REPLICAS: 1,
  });
  return {
    prefix,
    names,
    natsUrl: NATS_URL,
    databaseUrl,
    config,
    async cleanup() {
      const conn = await connect({ servers: NATS_URL });
      await deleteStreams(await jetstreamManager(conn), names);
      await conn.close();
      const admin = new URL(DATABASE_URL);
      admin.pathname = '/postgres';
      const client = new Client({ connectionString: admin.toString() });
      await client.connect();
      await client.query<never>(`DROP DATABASE IF EXISTS "sb_test_${prefix}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Environment variables for a service started as a child process in this test env. */
export function childEnv(env: TestEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NATS_URL: env.natsUrl,
    DATABASE_URL: env.databaseUrl,
    SB_PREFIX: env.prefix,
    HEALTH_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...extra,
  };
}
