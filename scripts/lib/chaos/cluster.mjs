// A whole Switchboard of its own for the chaos suite: its own nats-server and PostgreSQL on free
// ports (so they can be restarted without touching anyone else's), the dev-providers fakes and
// every service as supervised processes, all under one temporary directory. Built from the same
// pieces as `npm start`: scripts/services.mjs for each service's command and environment,
// scripts/infra.mjs for the servers. NATS runs deploy/nats/nats-server.conf, as docker compose and
// the Helm chart do: each service connects as its own user, after its migrate step as `provisioner`,
// so a service that needs a right its user lacks fails here.
import { mkdirSync, chmodSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  NATS_USERS,
  ROOT,
  SERVICES,
  loadDevSecrets,
  natsPasswordVar,
  probeHttp,
  serviceArgs,
  serviceEnv,
} from '../../services.mjs';
import { createDatabase, launchPostgres, parseDbUrl, preparePostgres, probePg, startNatsServer } from '../../infra.mjs';
import { PidRegistry, sleep, waitUntil } from '../procs.mjs';
import { Supervised } from '../supervisor.mjs';
import { runMigrateSteps } from '../migrate-step.mjs';

/** A TCP port free right now on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const ADMIN = { username: 'chaos-admin', password: 'chaos-admin-password-1' };

/**
 * options: { dir (the run's temporary directory), runDir (for the pid registry), say, serviceEnv
 * (extra variables for every service) }
 */
export async function startCluster({ dir, runDir, say, extraEnv = {} }) {
  const registry = new PidRegistry(runDir, 'chaos');
  const logDir = path.join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const cluster = {
    dir,
    logDir,
    nats: null,
    pg: null,
    services: new Map(),
    dev: null,
    registry,
    async stop() {
      await Promise.all([...cluster.services.values()].map((s) => s.stop()));
      await cluster.dev?.stop();
      await cluster.pg?.stop({ signal: 'SIGINT' });
      await cluster.nats?.stop();
      registry.clear();
    },
  };
  try {
    await boot(cluster, { dir, say, extraEnv, registry, logDir });
  } catch (err) {
    await cluster.stop().catch(() => undefined);
    throw err;
  }
  return cluster;
}

async function boot(cluster, { dir, say, extraEnv, registry, logDir }) {
  // ---- NATS, with the users and permissions of deploy/nats/nats-server.conf
  const secrets = await loadDevSecrets();
  const natsPasswords = secrets.natsPasswords;
  const natsPort = await freePort();
  const natsStore = path.join(dir, 'nats');
  const startNats = async () => {
    const server = await startNatsServer({
      port: natsPort,
      storeDir: natsStore,
      conf: path.join(ROOT, 'deploy/nats/nats-server.conf'),
      env: Object.fromEntries(NATS_USERS.map((user) => [natsPasswordVar(user), natsPasswords[user]])),
      logFile: path.join(logDir, 'nats-server.log'),
      onSpawn: (child) => registry.add('nats-server', child.pid, 'nats-server'),
    });
    cluster.nats = server;
    return server;
  };
  await startNats();
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  say(`nats-server ${cluster.nats.info.version} on ${natsUrl} (store ${natsStore})`);

  // ---- PostgreSQL (the user `postgres` must reach the data directory when we are root)
  chmodSync(dir, 0o755);
  const pgPort = await freePort();
  const databaseUrl = `postgres://postgres@127.0.0.1:${pgPort}/switchboard`;
  const prepared = await preparePostgres({ pgRoot: path.join(dir, 'pg'), say, relativeTo: dir });
  const adminUrl = parseDbUrl(databaseUrl).withDatabase('postgres');
  const startPg = async () => {
    const server = await launchPostgres(prepared, {
      port: pgPort,
      logFile: path.join(logDir, 'postgres.log'),
      adminUrl,
      onSpawn: (child) => registry.add('postgres', child.pid, 'postgres', 'SIGINT'),
    });
    cluster.pg = server;
    return server;
  };
  await startPg();
  if ((await probePg(databaseUrl)).state === 'missing-db') await createDatabase(parseDbUrl(databaseUrl), say);
  say(`PostgreSQL on 127.0.0.1:${pgPort} (data ${prepared.dataDir})`);

  // ---- fakes and services: every port free, nothing shared with `npm start`
  const devProviders = {
    smtpPort: await freePort(),
    httpPort: await freePort(),
    webPushPort: await freePort(),
    smppPort: await freePort(),
    bouncePort: await freePort(),
    stateDir: path.join(dir, 'dev-providers'),
  };
  const healthPorts = {};
  for (const svc of SERVICES) if (svc.healthPort) healthPorts[svc.name] = await freePort();
  const gatewayPort = await freePort();
  const base = {
    ...process.env,
    PORT: String(gatewayPort),
    SB_PUBLIC_URL: `http://127.0.0.1:${gatewayPort}`,
    SB_PREFIX: 'sb',
    SB_ADMIN_USER: ADMIN.username,
    SB_ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
    ...extraEnv,
  };
  delete base.OTEL_EXPORTER_OTLP_ENDPOINT;
  const ctx = { natsUrl, databaseUrl, secrets, devProviders, healthPorts, env: base, natsPasswords };
  const readyUrl = (svc) =>
    svc.kind === 'dev'
      ? `http://127.0.0.1:${devProviders.httpPort}/health`
      : `http://127.0.0.1:${healthPorts[svc.name]}/ready`;
  const supervise = (svc) =>
    new Supervised({
      name: svc.name,
      args: serviceArgs(svc),
      env: serviceEnv(svc, ctx),
      cwd: ROOT,
      logFile: path.join(logDir, `${svc.name}.log`),
      registry,
    });

  const devSvc = SERVICES.find((s) => s.kind === 'dev');
  cluster.dev = supervise(devSvc);
  cluster.dev.start();
  await waitReadyOrThrow(readyUrl(devSvc), 'dev-providers', 180_000, cluster.dev);
  const services = SERVICES.filter((s) => s.kind === 'service');
  const failed = await runMigrateSteps(services, ctx, {
    onDone: (svc, { code, output }) => code !== 0 && say(`${svc.name}'s migrate step exited ${code}:\n${output}`),
  });
  if (failed.length) throw new Error(`migrate steps failed: ${failed.join(', ')}`);
  say(`${services.length} migrate steps done as provisioner`);
  for (const svc of services) {
    const s = supervise(svc);
    s.readyUrl = readyUrl(svc);
    cluster.services.set(svc.name, s);
    s.start();
  }

  Object.assign(cluster, {
    natsUrl,
    /** For checks from the outside: the migrate step's user, allowed the whole JetStream API. */
    natsAdmin: { user: 'provisioner', pass: natsPasswords.provisioner, inboxPrefix: '_INBOX_provisioner' },
    databaseUrl,
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
    devUrl: `http://127.0.0.1:${devProviders.httpPort}`,
    /** Resolves once every service answers /ready; rejects naming the laggards after `timeoutMs`. */
    async waitAllReady(timeoutMs = 300_000) {
      const pending = new Set(cluster.services.values());
      const deadline = Date.now() + timeoutMs;
      while (pending.size && Date.now() < deadline) {
        await Promise.all(
          [...pending].map(async (s) => {
            if ((await probeHttp(s.readyUrl, 2000)) === 200) pending.delete(s);
          }),
        );
        if (pending.size) await sleep(500);
      }
      if (pending.size)
        throw new Error(
          `not ready after ${timeoutMs / 1000} s: ${[...pending].map((s) => s.name).join(', ')} (logs in ${logDir})`,
        );
    },
    /** SIGKILLs a service (the supervision restarts it after 1 s, as `npm start` does) and waits until it is ready again. */
    async crash(name, timeoutMs = 300_000) {
      const s = cluster.services.get(name);
      await s.kill('SIGKILL');
      await waitReadyOrThrow(s.readyUrl, name, timeoutMs, s);
    },
    /** Stops nats-server (SIGTERM) and starts it again on the same port and store. */
    async restartNats(signal = 'SIGTERM') {
      const old = cluster.nats;
      await old.stop({ signal });
      registry.remove(old.child.pid);
      await startNats();
    },
    /** Stops PostgreSQL (SIGQUIT: immediate shutdown, recovery from the WAL at the next start) and starts it again. */
    async restartPostgres(signal = 'SIGQUIT') {
      const old = cluster.pg;
      await old.stop({ signal });
      registry.remove(old.child.pid);
      await startPg();
    },
  });
}

async function waitReadyOrThrow(url, name, timeoutMs, supervised) {
  const ok = await waitUntil(async () => (await probeHttp(url, 2000)) === 200, timeoutMs, 500);
  if (!ok) throw new Error(`${name} not ready at ${url} after ${timeoutMs / 1000} s (starts: ${supervised.starts})`);
}
