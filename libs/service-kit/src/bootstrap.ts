import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NatsConnection } from '@nats-io/transport-node';
import { MessagingProvisioner, NATS_CONNECTION } from '@switchboard/messaging';
import { execute } from '@switchboard/persistence';
import { baseEnv, buildBaseConfig, loadConfig } from '@switchboard/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectProcessMetrics, createLogger, startTelemetry, type Logger } from '@switchboard/telemetry';
import { DataSource } from 'typeorm';
import { HealthServer } from './health-server';
import { NestPinoLogger } from './nest-logger';

export interface BootstrapOptions {
  service: string;
  /** Builds the root module from the service's validated config. */
  module: unknown;
  healthPort: number;
  /** Set for services with an HTTP API (the gateway): the port it serves on. */
  httpPort?: number;
  logger?: Logger;
  /** Runs before the HTTP server listens (middleware, body limits...). */
  configureHttp?: (app: NestExpressApplication) => void | Promise<void>;
}

export interface RunningService {
  app: INestApplicationContext | INestApplication;
  health: HealthServer;
  healthPort: number;
  httpPort?: number;
  close(): Promise<void>;
}

/** Readiness = NATS connected and the database answers (migrations ran before init finished). */
export function readinessChecks(app: INestApplicationContext): Record<string, () => Promise<void>> {
  const checks: Record<string, () => Promise<void>> = {};
  const nc = app.get<NatsConnection>(NATS_CONNECTION, { strict: false });
  checks.nats = async () => {
    if (nc.isClosed()) throw new Error('closed');
    await nc.flush();
  };
  let ds: DataSource | undefined;
  try {
    ds = app.get(DataSource, { strict: false });
  } catch {
    ds = undefined;
  }
  if (ds) {
    const db = ds;
    checks.database = async () => {
      await execute(db, 'SELECT 1');
    };
  }
  return checks;
}

/** Starts one service: telemetry, the Nest app, /health and /ready, graceful shutdown on signals. */
export async function startService(options: BootstrapOptions): Promise<RunningService> {
  const logger = options.logger ?? createLogger(options.service);
  // Export follows the standard OTEL_* variables (libs/telemetry reads them).
  startTelemetry({ serviceName: options.service, serviceVersion: serviceVersion(options.service) });
  collectProcessMetrics();
  const nestLogger = new NestPinoLogger(logger);
  // Nest's default ends the process on an error while it builds the modules (a migration that
  // fails, a database that refuses): thrown instead, runService logs it and exits, and a test that
  // starts services in-process reports it rather than dying with "process.exit called with 1".
  const app =
    options.httpPort === undefined
      ? await NestFactory.createApplicationContext(options.module as never, { logger: nestLogger, abortOnError: false })
      : await NestFactory.create<NestExpressApplication>(options.module as never, {
          logger: nestLogger,
          bodyParser: false,
          abortOnError: false,
        });
  if (options.httpPort !== undefined) await options.configureHttp?.(app as NestExpressApplication);
  await app.init();
  const health = new HealthServer(readinessChecks(app));
  const healthPort = await health.listen(options.healthPort);
  let httpPort: number | undefined;
  if (options.httpPort !== undefined) {
    const server = await (app as INestApplication).listen(options.httpPort);
    httpPort = (server.address() as { port: number }).port;
  }
  health.markReady();
  logger.info({ healthPort, httpPort }, `${options.service} ready`);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close();
      await health.close();
    })());
  return { app, health, healthPort, httpPort, close };
}

/** The version in services/<service>/package.json (service.version of its traces). */
function serviceVersion(service: string): string | undefined {
  try {
    const manifest = join(__dirname, '..', '..', '..', 'services', service, 'package.json');
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * The service's migrate step alone (MIGRATE_ONLY=true): its database migrations (applied while
 * its DataSource is made) and its JetStream streams and durable consumers, then nothing else.
 * The app is built but never initialised, so no consumer, timer, heartbeat or port starts.
 */
export async function runMigrateStep(
  options: Pick<BootstrapOptions, 'service' | 'module' | 'logger'>,
): Promise<string[]> {
  const logger = options.logger ?? createLogger(options.service);
  const app = await NestFactory.create(options.module as never, {
    logger: new NestPinoLogger(logger),
    bodyParser: false,
  });
  const consumers = await app.get(MessagingProvisioner, { strict: false }).provision();
  let ds: DataSource | undefined;
  try {
    ds = app.get(DataSource, { strict: false });
  } catch {
    ds = undefined;
  }
  await ds?.destroy();
  await app.get<NatsConnection>(NATS_CONNECTION, { strict: false }).drain();
  logger.info({ consumers }, `${options.service} migrate step done`);
  return consumers;
}

/**
 * For main.ts: start, and stop cleanly on SIGTERM/SIGINT; a boot failure exits non-zero. With
 * MIGRATE_ONLY=true it runs the migrate step and exits instead.
 */
export async function runService(options: BootstrapOptions): Promise<void> {
  const logger = options.logger ?? createLogger(options.service);
  try {
    if (loadConfig(baseEnv, buildBaseConfig).database.migrateOnly) {
      await runMigrateStep({ ...options, logger });
      process.exit(0);
    }
    const running = await startService({ ...options, logger });
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 15_000);
      force.unref();
      void running.close().then(() => process.exit(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  } catch (error) {
    logger.fatal({ err: error }, `${options.service} failed to start`);
    process.exit(1);
  }
}

/** Loads config for main.ts; a bad value stops the process with a message naming the variable. */
export function configOrExit<C>(load: () => C): C {
  try {
    return load();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
