#!/usr/bin/env node
// `npm start`: Switchboard on one machine, from a fresh clone.
//
//   1. installs dependencies when node_modules is missing;
//   2. makes sure NATS (JetStream) and PostgreSQL answer, starting local ones under .data/ if not
//      (scripts/infra.mjs);
//   3. builds the admin web UI when it has a build script and no dist/ yet;
//   4. starts the loopback fake providers (dev-providers; SB_DEV_PROVIDERS=false to skip), then
//      every service as its own supervised child (restarted with backoff when it dies); each
//      service applies its migrations on boot (MIGRATE_ON_BOOT, under an advisory lock);
//   5. waits until every /ready answers, prints the URLs and how to log in;
//   6. Ctrl-C / SIGTERM stops every child (SIGTERM, SIGKILL after 10 s) and what step 2 started.
//
// Usage: npm start [-- <service> ...]     start only the named services (plus dev-providers when a
//                                         sender is among them)
//        npm start -- --exit-when-ready      stop once everything is ready (exit 0) or is not in time
//                                         (exit 1); a smoke test of the whole start (npm run
//                                         migrate runs the migrate steps alone: MIGRATE_ONLY)
// Plain ESM with Node built-ins only: it runs before anything is installed or compiled.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import {
  DEV_PROVIDERS,
  ROOT,
  DATA_DIR,
  SERVICES,
  STATIC_APPS,
  entryExists,
  gatewayPort,
  loadDevSecrets,
  probeHttp,
  serviceArgs,
  serviceEnv,
} from './services.mjs';
import { ensureDependencies } from './lib/deps.mjs';
import { Supervised } from './lib/supervisor.mjs';
import { runMigrateSteps } from './lib/migrate-step.mjs';
import {
  PidRegistry,
  bold,
  colorFor,
  dim,
  green,
  paint,
  prettyLine,
  red,
  sleep,
  signalTree,
  yellow,
} from './lib/procs.mjs';

const RUN_DIR = path.join(DATA_DIR, 'run');
const LOG_DIR = path.join(DATA_DIR, 'logs');
const STOP_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = Number(process.env.SB_READY_TIMEOUT_MS || 180_000);
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
const STABLE_AFTER_MS = 60_000; // a child up this long gets its backoff reset

const tag = paint('[start]', 1);
const sys = (msg) => console.log(`${tag} ${msg}`);
const warn = (msg) => console.log(`${tag} ${yellow(msg)}`);

let infra = null;
let infraModule = null;
let shuttingDown = false;
let forceStop = false;
const children = [];
let registry = null;

// ---- arguments -------------------------------------------------------------------------------

function parseArgs(argv) {
  const names = [];
  let exitWhenReady = false;
  for (const a of argv) {
    if (a === '-h' || a === '--help') {
      console.log(
        'usage: npm start [-- [--exit-when-ready] <service> ...]\n\n' +
          '  --exit-when-ready  stop everything once every service is ready (exit 0), or when one is not\n' +
          '                     ready in time (exit 1): applies migrations, smoke-tests a start\n\n' +
          'services: ' +
          SERVICES.map((s) => s.name).join(', '),
      );
      process.exit(0);
    } else if (a === '--exit-when-ready') {
      exitWhenReady = true;
    } else if (a.startsWith('-')) {
      console.error(`unknown option ${a} (see npm start -- --help)`);
      process.exit(2);
    } else {
      for (const n of a.split(',').filter(Boolean)) {
        if (!SERVICES.some((s) => s.name === n)) {
          console.error(`unknown service "${n}"; known: ${SERVICES.map((s) => s.name).join(', ')}`);
          process.exit(2);
        }
        names.push(n);
      }
    }
  }
  return { names, exitWhenReady };
}

// ---- admin-web -------------------------------------------------------------------------------

async function buildStaticApps() {
  for (const app of STATIC_APPS) {
    const pkgFile = path.join(ROOT, app.dir, 'package.json');
    if (!existsSync(pkgFile)) continue;
    let pkg;
    try {
      pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    } catch {
      continue;
    }
    if (!pkg.scripts?.build || existsSync(path.join(ROOT, app.dist))) continue;
    sys(`building ${app.name} (npm run build -w ${app.dir})`);
    const code = await new Promise((resolve) => {
      const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build', '-w', app.dir], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      pipeLines(child, app.name, STATIC_APPS.indexOf(app) + SERVICES.length);
      child.on('exit', (c) => resolve(c));
      child.on('error', () => resolve(-1));
    });
    if (code !== 0) warn(`building ${app.name} failed (exit ${code}); the gateway will run without the admin UI`);
  }
}

// ---- supervised children ---------------------------------------------------------------------

function pipeLines(child, name, index) {
  const prefix = paint(`[${name}]`, colorFor(index));
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (line) => {
      console.log(`${prefix} ${prettyLine(line)}`);
    });
  }
}

/** A service under the shared supervisor (scripts/lib/supervisor.mjs), its output on the console. */
class ServiceChild {
  constructor(svc, index, env) {
    this.svc = svc;
    this.prefix = paint(`[${svc.name}]`, colorFor(index));
    this.notes = []; // lines worth repeating in the banner (the generated admin password)
    this.proc = new Supervised({
      name: svc.name,
      args: serviceArgs(svc),
      env,
      cwd: ROOT,
      logFile: path.join(LOG_DIR, `${svc.name}.log`),
      registry,
      restartDelayMs: BACKOFF_MIN_MS,
      maxRestartDelayMs: BACKOFF_MAX_MS,
      stableAfterMs: STABLE_AFTER_MS,
      onLine: (line) => {
        if (svc.name === 'gateway' && /password/i.test(line) && /admin/i.test(line)) this.notes.push(prettyLine(line));
        console.log(`${this.prefix} ${prettyLine(line)}`);
      },
      onError: (err) => this.say(`cannot start: ${err.message}`),
      onRestart: ({ code, signal, upMs, delayMs, restarts }) =>
        this.say(
          red(`exited (${signal ?? `code ${code}`}) after ${(upMs / 1000).toFixed(1)} s`) +
            dim(
              ` — restarting in ${(delayMs / 1000).toFixed(0)} s (restart #${restarts}; log: .data/logs/${svc.name}.log)`,
            ),
        ),
      onKill: () => this.say(`did not stop within ${STOP_TIMEOUT_MS / 1000} s: SIGKILL`),
    });
  }

  get child() {
    return this.proc.child;
  }

  say(msg) {
    console.log(`${this.prefix} ${dim(msg)}`);
  }

  start() {
    if (!shuttingDown) this.proc.start();
  }

  stop() {
    return this.proc.stop(STOP_TIMEOUT_MS);
  }
}

// ---- readiness and banner --------------------------------------------------------------------

async function waitForReady(list, timeoutMs) {
  const pending = new Set(list);
  const t0 = Date.now();
  let lastReport = t0;
  while (pending.size && Date.now() - t0 < timeoutMs && !shuttingDown) {
    await Promise.all(
      [...pending].map(async (s) => {
        if ((await probeHttp(s.svc.readyUrl, 1500)) === 200) {
          pending.delete(s);
          s.say(green(`ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`));
        }
      }),
    );
    if (pending.size && Date.now() - lastReport > 20_000) {
      lastReport = Date.now();
      sys(dim(`waiting for ${[...pending].map((s) => s.svc.name).join(', ')} ...`));
    }
    if (pending.size) await sleep(500);
  }
  return [...pending];
}

function banner({ started, missing, notReady, devProviders }) {
  const port = gatewayPort();
  const base = `http://localhost:${port}`;
  const gw = started.find((s) => s.svc.name === 'gateway');
  const lines = [''];
  lines.push(
    bold(
      notReady.length ? yellow('Switchboard is up, but not every service is ready yet') : green('Switchboard is ready'),
    ),
  );
  if (gw) {
    lines.push(`  API        ${base}/api`);
    lines.push(`  API docs   ${base}/api/docs`);
    lines.push(`  Admin UI   ${base}/`);
  }
  if (devProviders)
    lines.push(`  Outbox     http://127.0.0.1:${DEV_PROVIDERS.httpPort}/dev/outbox   (what the fake providers "sent")`);
  lines.push(`  NATS       ${infra.natsUrl}${infra.started.nats ? '   (started here, store in .data/nats)' : ''}`);
  lines.push(
    `  PostgreSQL ${infra.databaseUrl.replace(/\/\/([^:/@]+):([^@/]+)@/, '//$1:***@')}${infra.started.postgres ? '   (embedded, data in .data/pg)' : ''}`,
  );
  lines.push(`  Logs       .data/logs/<service>.log`);
  if (gw) {
    lines.push('');
    if (process.env.SB_ADMIN_PASSWORD) {
      lines.push(
        `  Log in as ${bold(process.env.SB_ADMIN_USER || 'admin')} with the password in SB_ADMIN_PASSWORD (HTTP Basic on the API, or the UI's login form).`,
      );
    } else if (gw.notes.length) {
      lines.push('  Log in with the admin account the gateway created on its first boot:');
      for (const n of gw.notes) lines.push(`    ${n}`);
    } else {
      lines.push(
        '  Log in as `admin`: on its first boot the gateway created it with a random password and logged it once',
        '  (see above, or search .data/logs/gateway.log for "password"). To choose your own, set SB_ADMIN_USER and',
        '  SB_ADMIN_PASSWORD before the first start.',
      );
    }
  }
  if (missing.length)
    lines.push('', yellow(`  Not started (no ${'services/<name>/src/main.ts'} yet): ${missing.join(', ')}`));
  if (notReady.length)
    lines.push(
      yellow(
        `  Not ready after ${READY_TIMEOUT_MS / 1000} s: ${notReady.join(', ')} (still supervised; see their logs)`,
      ),
    );
  lines.push('', dim('  Ctrl-C stops everything.'), '');
  console.log(lines.join('\n'));
}

// ---- shutdown --------------------------------------------------------------------------------

async function shutdown(reason, exitCode) {
  if (shuttingDown) {
    if (!forceStop) {
      forceStop = true;
      sys(red('second signal: killing the services now'));
      for (const c of children) if (c.child) signalTree(c.child.pid, 'SIGKILL');
    }
    return;
  }
  shuttingDown = true;
  sys(`stopping (${reason}) ...`);
  const services = children.filter((c) => c.svc.kind !== 'dev');
  const dev = children.filter((c) => c.svc.kind === 'dev');
  await Promise.all(services.map((c) => c.stop()));
  await Promise.all(dev.map((c) => c.stop()));
  if (infra) await infra.stop();
  else if (infraModule) await infraModule.abortInfra();
  registry?.clear();
  sys('stopped');
  process.exit(exitCode);
}

// ---- main ------------------------------------------------------------------------------------

async function main() {
  const { names: only, exitWhenReady } = parseArgs(process.argv.slice(2));
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ]) {
    process.on(sig, () => void shutdown(sig, code));
  }
  // A closed terminal or pipe (`npm start | tee` and a Ctrl-C that ends tee too) must not turn
  // every log line into an exception.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  let crashed = false;
  process.on('uncaughtException', (err) => {
    if (crashed) return;
    crashed = true;
    try {
      console.error(err);
    } catch {
      /* output is gone */
    }
    void shutdown('internal error', 1);
  });

  ensureDependencies(ROOT, (m) => sys(m));
  mkdirSync(RUN_DIR, { recursive: true });
  await PidRegistry.reapStale(RUN_DIR, 'services', sys);
  registry = new PidRegistry(RUN_DIR, 'services');

  const secrets = await loadDevSecrets();
  infraModule = await import('./infra.mjs');
  try {
    infra = await infraModule.ensureInfra({ log: (m) => sys(m) });
  } catch (err) {
    if (shuttingDown) return;
    console.error(red(`${tag} ${err.message}`));
    process.exit(1);
  }
  if (shuttingDown) return;

  await buildStaticApps();

  const devProviders = process.env.SB_DEV_PROVIDERS !== 'false';
  let selected = SERVICES.filter((s) => s.kind !== 'dev');
  if (only.length) selected = selected.filter((s) => only.includes(s.name));
  const wantDev =
    devProviders &&
    (only.length === 0 || only.includes('dev-providers') || selected.some((s) => s.channels.length > 0));
  const devSvc = SERVICES.find((s) => s.kind === 'dev');
  const plan = [...(wantDev ? [devSvc] : []), ...selected];
  const missing = plan.filter((s) => !entryExists(s)).map((s) => s.name);
  const runnable = plan.filter((s) => entryExists(s));
  if (missing.length) warn(`no entry file yet for: ${missing.join(', ')} (skipped)`);
  if (!runnable.length) {
    console.error(red(`${tag} nothing to start: none of the selected services has a services/<name>/src/main.ts`));
    await shutdown('nothing to run', 1);
    return;
  }

  // Something already answering on a service's port (most often an earlier `npm start`, or a
  // test, still running) would pass our /ready checks while our own processes crash-loop on
  // EADDRINUSE: say so and stop instead.
  const taken = [];
  for (const svc of runnable) if ((await probeHttp(svc.readyUrl, 1000)) !== 0) taken.push(svc);
  if (taken.length) {
    console.error(
      red(
        `${tag} already answering: ${taken.map((s) => `${s.name} at ${s.readyUrl}`).join(', ')}. ` +
          'Is another Switchboard running (npm start, npm run chaos or a test)? Stop it, then start again.',
      ),
    );
    await shutdown('ports in use', 1);
    return;
  }

  const ctx = {
    natsUrl: infra.natsUrl,
    databaseUrl: infra.databaseUrl,
    secrets,
    devProviders,
    ...(infra.natsAuthRequired ? { natsPasswords: secrets.natsPasswords } : {}),
  };
  const make = (svc) => {
    const s = new ServiceChild(svc, SERVICES.indexOf(svc), serviceEnv(svc, ctx));
    children.push(s);
    return s;
  };

  // dev-providers first: the senders read the files it writes (FCM account, Web Push CA).
  const dev = runnable.find((s) => s.kind === 'dev');
  if (dev) {
    const d = make(dev);
    d.start();
    const notReady = await waitForReady([d], 60_000);
    if (shuttingDown) return;
    if (notReady.length) warn(`dev-providers is not answering at ${dev.readyUrl} yet; starting the services anyway`);
  }
  const services = runnable.filter((s) => s.kind !== 'dev');
  if (ctx.natsPasswords) {
    // NATS requires users (deploy/nats/nats-server.conf): a service's own user may not create its
    // streams and consumers, so its migrate step runs first as `provisioner`, as in docker compose.
    sys(`NATS requires users: running ${services.length} migrate steps as provisioner first`);
    const failed = await runMigrateSteps(services, ctx, {
      isInterrupted: () => shuttingDown,
      onDone: (svc, { code, output }) => {
        if (code !== 0) console.error(red(`${tag} ${svc.name}'s migrate step exited ${code}:\n${output}`));
      },
    });
    if (shuttingDown) return;
    if (failed.length) {
      await shutdown(`migrate steps failed: ${failed.join(', ')}`, 1);
      return;
    }
  }
  for (const svc of services) make(svc).start();
  if (shuttingDown) return;
  const notReady = await waitForReady(
    children.filter((c) => c.svc.kind !== 'dev'),
    READY_TIMEOUT_MS,
  );
  if (shuttingDown) return;
  const devNotReady = dev && (await probeHttp(dev.readyUrl)) !== 200 ? ['dev-providers'] : [];
  if (exitWhenReady) {
    const bad = [...devNotReady, ...notReady.map((s) => s.svc.name)];
    if (bad.length) console.error(red(`${tag} not ready after ${READY_TIMEOUT_MS / 1000} s: ${bad.join(', ')}`));
    else sys(green(`every service is ready (${children.map((c) => c.svc.name).join(', ')}); stopping`));
    await shutdown('--exit-when-ready', bad.length ? 1 : 0);
    return;
  }
  banner({
    started: children,
    missing,
    notReady: [...devNotReady, ...notReady.map((s) => s.svc.name)],
    devProviders: Boolean(dev),
  });
  // Children keep running; the process lives until a signal.
}

// Stay alive even while every child waits for a restart; and when whatever started us goes away
// without passing its signal on (`npm start` killed with SIGTERM kills npm's shell, not us), stop.
const parentPid = process.ppid;
setInterval(() => {
  if (!shuttingDown && parentPid > 1 && process.ppid !== parentPid) void shutdown('parent process exited', 143);
}, 1000);

main().catch(async (err) => {
  console.error(err);
  await shutdown('error', 1);
});
