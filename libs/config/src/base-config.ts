import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import { env } from './load-config';

/** Variables every service reads. */
export const baseEnv = {
  NATS_URL: env.string('nats://127.0.0.1:4222'),
  DATABASE_URL: env.string('postgres://postgres@127.0.0.1:5432/switchboard'),
  SB_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ or -, at most 32')
    .default('sb'),
  HEALTH_PORT: env.port(0),
  LOG_LEVEL: env.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
  MIGRATE_ON_BOOT: env.bool(true),
  MIGRATE_ONLY: env.bool(false),
  SB_STREAM_REPLICAS: env.int(1),
  NATS_USER: env.optionalString(),
  NATS_PASSWORD: env.optionalString(),
  SERVICE_INSTANCE_ID: env.optionalString(),
};

export interface BaseConfig {
  nats: { url: string; prefix: string; streamReplicas: number; user?: string; password?: string };
  /**
   * migrateOnBoot: run the migrate step (database migrations, JetStream streams, the service's
   * durable consumers) while starting. migrateOnly: run it, then exit (npm run migrate, a deploy job).
   */
  database: { url: string; migrateOnBoot: boolean; migrateOnly: boolean };
  health: { port: number };
  log: { level: string };
  instanceId: string;
}

export function buildBaseConfig(e: {
  NATS_URL: string;
  DATABASE_URL: string;
  SB_PREFIX: string;
  HEALTH_PORT: number;
  LOG_LEVEL: string;
  MIGRATE_ON_BOOT: boolean;
  MIGRATE_ONLY: boolean;
  SB_STREAM_REPLICAS: number;
  SERVICE_INSTANCE_ID?: string;
  NATS_USER?: string;
  NATS_PASSWORD?: string;
}): BaseConfig {
  return {
    nats: {
      url: e.NATS_URL,
      prefix: e.SB_PREFIX,
      streamReplicas: e.SB_STREAM_REPLICAS,
      user: e.NATS_USER,
      password: e.NATS_PASSWORD,
    },
    database: { url: e.DATABASE_URL, migrateOnBoot: e.MIGRATE_ON_BOOT, migrateOnly: e.MIGRATE_ONLY },
    health: { port: e.HEALTH_PORT },
    log: { level: e.LOG_LEVEL },
    instanceId: e.SERVICE_INSTANCE_ID ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
  };
}
