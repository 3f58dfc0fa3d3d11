// The one table of Switchboard's processes, shared by scripts/start.mjs, scripts/test.mjs and the
// benchmarks: name, entry file, health port and the environment each gets in local (dev) mode.
//
// Plain ESM with Node built-ins only at import time (it is loaded before `npm install` may have
// run); `web-push` is imported lazily, only when dev secrets must be generated.
//
// CLI:
//   node scripts/services.mjs list                 the table
//   node scripts/services.mjs env <service>        `export K='v'` lines for running one service by hand
//   node scripts/services.mjs compose-env          SB_TRACKING_SECRET, VAPID_*, POSTGRES_PASSWORD, SB_NATS_PASSWORD_* for docker compose
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, renameSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DATA_DIR = path.join(ROOT, '.data');

export const DEFAULTS = Object.freeze({
  NATS_URL: 'nats://127.0.0.1:4222',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/switchboard',
  SB_PREFIX: 'sb',
  PORT: '8080',
  SB_PUBLIC_URL: 'http://localhost:8080',
});

/** Ports of the loopback fake providers (services/dev-providers). */
export const DEV_PROVIDERS = Object.freeze({
  smtpPort: 2525,
  httpPort: 4010,
  webPushPort: 4443,
  smppPort: 2775,
  /** sender-email's bounce listener, where the fake SMTP server mails its DSN and ARF reports. */
  bouncePort: 2526,
  stateDir: path.join(DATA_DIR, 'dev-providers'),
});

/** The fakes' ports and state directory for this run: DEV_PROVIDERS, or `ctx.devProviders` when it is an object (scripts/chaos.mjs). */
function devOf(ctx) {
  return typeof ctx?.devProviders === 'object' && ctx.devProviders !== null
    ? { ...DEV_PROVIDERS, ...ctx.devProviders }
    : DEV_PROVIDERS;
}
const devHttp = (ctx) => `http://127.0.0.1:${devOf(ctx).httpPort}`;

/**
 * Every process `npm start` runs, in start order. `kind`: 'dev' (loopback fakes, never in
 * production), 'service' (a deployable). `schema`: the PostgreSQL schema it owns (null = none).
 * `devEnv(ctx)`: provider settings pointing at dev-providers; applied only while dev providers
 * are enabled, and any variable already set in the caller's environment wins over it.
 * `secrets`: whether it gets SB_TRACKING_SECRET and SB_PUBLIC_URL.
 */
export const SERVICES = Object.freeze(
  [
    {
      name: 'dev-providers',
      kind: 'dev',
      healthPort: null,
      readyUrl: `${devHttp()}/health`,
      schema: null,
      secrets: false,
      devEnv: (ctx) => ({
        DEV_SMTP_PORT: String(devOf(ctx).smtpPort),
        DEV_HTTP_PORT: String(devOf(ctx).httpPort),
        DEV_WEBPUSH_PORT: String(devOf(ctx).webPushPort),
        DEV_SMPP_PORT: String(devOf(ctx).smppPort),
        DEV_REPORT_SMTP_PORT: String(devOf(ctx).bouncePort),
        DEV_PROVIDERS_STATE_DIR: devOf(ctx).stateDir,
      }),
    },
    { name: 'gateway', kind: 'service', healthPort: 9101, schema: 'gateway', secrets: true, http: true },
    { name: 'catalog', kind: 'service', healthPort: 9102, schema: 'catalog' },
    { name: 'preferences', kind: 'service', healthPort: 9103, schema: 'preferences' },
    { name: 'campaign-actions', kind: 'service', healthPort: 9104, schema: 'campaign_actions' },
    { name: 'router', kind: 'service', healthPort: 9105, schema: 'router' },
    {
      name: 'sender-email',
      kind: 'service',
      healthPort: 9106,
      schema: 'sender_email',
      secrets: true,
      channels: ['email'],
      devEnv: (ctx) => ({
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(devOf(ctx).smtpPort),
        SMTP_BOUNCE_DOMAIN: 'bounces.switchboard.test',
        SMTP_BOUNCE_PORT: String(devOf(ctx).bouncePort),
        SMTP_BOUNCE_HOST: '127.0.0.1',
      }),
    },
    {
      name: 'sender-sms',
      kind: 'service',
      healthPort: 9107,
      schema: 'sender_sms',
      secrets: true,
      channels: ['sms'],
      devEnv: (ctx) => ({
        SMS_PROVIDER: 'twilio',
        TWILIO_BASE_URL: devHttp(ctx),
        TWILIO_ACCOUNT_SID: 'ACdev0000000000000000000000000000',
        TWILIO_AUTH_TOKEN: 'dev-token',
        TWILIO_FROM: '+15005550006',
      }),
    },
    {
      name: 'sender-push',
      kind: 'service',
      healthPort: 9108,
      schema: 'sender_push',
      secrets: true,
      channels: ['notification', 'mobile_notification'],
      devEnv: (ctx) => ({
        VAPID_PUBLIC_KEY: ctx.secrets?.vapidPublicKey,
        VAPID_PRIVATE_KEY: ctx.secrets?.vapidPrivateKey,
        VAPID_SUBJECT: 'mailto:dev@localhost',
        WEBPUSH_CA_FILE: path.join(devOf(ctx).stateDir, 'webpush-ca.pem'),
        FCM_BASE_URL: devHttp(ctx),
        FCM_SERVICE_ACCOUNT_FILE: path.join(devOf(ctx).stateDir, 'fcm-service-account.json'),
      }),
    },
    {
      name: 'sender-tweet',
      kind: 'service',
      healthPort: 9109,
      schema: 'sender_tweet',
      secrets: true,
      channels: ['tweet'],
      devEnv: (ctx) => ({ X_BASE_URL: devHttp(ctx), X_USER_TOKEN: 'dev-x-token' }),
    },
    { name: 'tracker', kind: 'service', healthPort: 9110, schema: 'tracker' },
    {
      // The in-app inbox (DESIGN §7.7): its "provider" is its own schema, so it has no dev provider.
      name: 'sender-inapp',
      kind: 'service',
      healthPort: 9111,
      schema: 'sender_inapp',
      secrets: true,
      channels: ['inapp'],
    },
  ].map((s) =>
    Object.freeze({
      secrets: false,
      http: false,
      channels: [],
      devEnv: () => ({}),
      ...s,
      entry: `services/${s.name}/src/main.ts`,
      readyUrl: s.readyUrl ?? `http://127.0.0.1:${s.healthPort}/ready`,
      healthUrl: s.healthPort ? `http://127.0.0.1:${s.healthPort}/health` : (s.readyUrl ?? null),
    }),
  ),
);

/**
 * admin-web is no process: it is built to services/admin-web/dist and served by the gateway.
 */
export const STATIC_APPS = Object.freeze([
  { name: 'admin-web', dir: 'services/admin-web', dist: 'services/admin-web/dist' },
]);

/**
 * The NATS users of deploy/nats/nats-server.conf: the migrate step's, then one per service
 * (libs/contracts' SERVICE_NATS_USERS; libs/contracts/test/nats-users.test.ts checks they agree).
 */
export const NATS_USERS = Object.freeze([
  'provisioner',
  ...SERVICES.filter((s) => s.kind === 'service').map((s) => s.name),
]);

/**
 * The variable deploy/nats/nats-server.conf reads a user's password from: libs/contracts'
 * natsPasswordVar, copied because this file loads before dependencies are installed
 * (libs/contracts/test/docker-compose.test.ts checks they agree).
 */
export const natsPasswordVar = (user) => `SB_NATS_PASSWORD_${user.toUpperCase().replace(/-/g, '_')}`;

export function getService(name) {
  const svc = SERVICES.find((s) => s.name === name);
  if (!svc) throw new Error(`unknown service "${name}" (known: ${SERVICES.map((s) => s.name).join(', ')})`);
  return svc;
}

export function entryExists(svc, root = ROOT) {
  return existsSync(path.join(root, svc.entry));
}

/**
 * Node/V8 options a service runs with: `nodeOptions` in its package.json, read the same way by
 * libs/testing's spawnService and by the Docker image's CMD (deploy/docker/Dockerfile).
 */
export function nodeOptions(svc, root = ROOT) {
  const manifest = path.join(root, 'services', svc.name, 'package.json');
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')).nodeOptions ?? []) : [];
}

/** The argv (after `node`) that runs a service: TypeScript compiled on the fly by swc. */
export function serviceArgs(svc) {
  return [...nodeOptions(svc), '-r', '@swc-node/register', svc.entry];
}

/**
 * Secrets for local runs: the tracking-link HMAC key and a VAPID key pair, generated once and kept
 * in .data/secrets.json (mode 600). Values set in the environment win and are never written.
 */
/**
 * nats-server reads a `$VAR` of its conf as a config value, not as a string: a password such as
 * `9-o…` or `-x…` (base64url can start so) is a date or a number that does not parse, and the
 * server refuses to start. A letter first, then hex, is always a string.
 */
const NATS_PASSWORD = /^[A-Za-z][A-Za-z0-9]*$/;

export async function loadDevSecrets({ dataDir = DATA_DIR, env = process.env } = {}) {
  const file = path.join(dataDir, 'secrets.json');
  let stored = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file} is not valid JSON (${err.message}); fix or delete it`);
    }
  }
  let changed = false;
  if (!stored.trackingSecret) {
    stored.trackingSecret = randomBytes(32).toString('base64url');
    changed = true;
  }
  if (!stored.inboxSecret) {
    // HS256 key of the in-app inbox's end-user tokens (the gateway's SB_INBOX_SECRET).
    stored.inboxSecret = randomBytes(32).toString('base64url');
    changed = true;
  }
  if (!stored.postgresPassword) {
    // Only docker compose uses it (the compose PostgreSQL's password); local runs use trust auth.
    stored.postgresPassword = randomBytes(18).toString('base64url');
    changed = true;
  }
  // One password per NATS user of deploy/nats/nats-server.conf (docker compose runs it).
  stored.natsPasswords ??= {};
  for (const user of NATS_USERS) {
    if (NATS_PASSWORD.test(stored.natsPasswords[user] ?? '')) continue;
    stored.natsPasswords[user] = `n${randomBytes(18).toString('hex')}`;
    changed = true;
  }
  if (!stored.vapidPublicKey || !stored.vapidPrivateKey) {
    const require = createRequire(path.join(ROOT, 'package.json'));
    const webpush = require('web-push');
    const keys = webpush.generateVAPIDKeys();
    stored.vapidPublicKey = keys.publicKey;
    stored.vapidPrivateKey = keys.privateKey;
    changed = true;
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
  }
  chmodSync(file, 0o600);
  return {
    trackingSecret: env.SB_TRACKING_SECRET || stored.trackingSecret,
    inboxSecret: env.SB_INBOX_SECRET || stored.inboxSecret,
    vapidPublicKey: env.VAPID_PUBLIC_KEY || stored.vapidPublicKey,
    vapidPrivateKey: env.VAPID_PRIVATE_KEY || stored.vapidPrivateKey,
    postgresPassword: env.POSTGRES_PASSWORD || stored.postgresPassword,
    natsPasswords: Object.fromEntries(
      NATS_USERS.map((user) => [user, env[natsPasswordVar(user)] || stored.natsPasswords[user]]),
    ),
    file,
  };
}

/**
 * The full environment for one service.
 * ctx: { natsUrl, databaseUrl, secrets, devProviders (bool, or an object of DEV_PROVIDERS' keys for
 * fakes on other ports), healthPorts ({ name: port }, instead of the table's), env (base, default
 * process.env) }
 * Precedence: the table's HEALTH_PORT and the effective NATS/DB URLs > caller's environment >
 * dev-provider defaults > defaults.
 */
export function serviceEnv(svc, ctx = {}) {
  const base = { ...(ctx.env ?? process.env) };
  const out = { ...base };
  // Variables that must differ per service never leak from the caller's shell.
  delete out.HEALTH_PORT;
  if (!svc.http) delete out.PORT;
  const setDefault = (k, v) => {
    if (v !== undefined && v !== null && (out[k] === undefined || out[k] === '')) out[k] = String(v);
  };
  if (ctx.devProviders !== false) for (const [k, v] of Object.entries(svc.devEnv(ctx))) setDefault(k, v);
  if (svc.secrets) {
    setDefault('SB_TRACKING_SECRET', ctx.secrets?.trackingSecret);
    setDefault('SB_PUBLIC_URL', publicUrl(base));
  }
  if (svc.http) setDefault('SB_INBOX_SECRET', ctx.secrets?.inboxSecret);
  if (svc.http) setDefault('PORT', DEFAULTS.PORT);
  setDefault('SB_PREFIX', DEFAULTS.SB_PREFIX);
  out.NATS_URL = ctx.natsUrl ?? base.NATS_URL ?? DEFAULTS.NATS_URL;
  out.DATABASE_URL = ctx.databaseUrl ?? base.DATABASE_URL ?? DEFAULTS.DATABASE_URL;
  const healthPort = ctx.healthPorts?.[svc.name] ?? svc.healthPort;
  if (healthPort) out.HEALTH_PORT = String(healthPort);
  if (ctx.natsPasswords && svc.kind === 'service') {
    // NATS runs deploy/nats/nats-server.conf: the service connects as its own user, which may not
    // create streams or consumers, so its migrate step runs first as `provisioner` (migrateEnv).
    out.NATS_USER = svc.name;
    out.NATS_PASSWORD = ctx.natsPasswords[svc.name];
    out.MIGRATE_ON_BOOT = 'false';
  }
  return out;
}

/**
 * The environment of a service's migrate step alone (MIGRATE_ONLY): the service's own, as the
 * `provisioner` NATS user when NATS runs deploy/nats/nats-server.conf (ctx.natsPasswords).
 */
export function migrateEnv(svc, ctx = {}) {
  const env = { ...serviceEnv(svc, ctx), MIGRATE_ONLY: 'true' };
  if (ctx.natsPasswords) {
    env.NATS_USER = 'provisioner';
    env.NATS_PASSWORD = ctx.natsPasswords.provisioner;
  }
  // The fakes write their files (web-push CA, FCM account) when they start; a migrate step makes
  // no call that needs them, and a setting naming a missing file fails the config.
  const stateDir = devOf(ctx).stateDir;
  for (const [key, value] of Object.entries(env))
    if (value?.startsWith(stateDir) && !existsSync(value)) delete env[key];
  return env;
}

export function gatewayPort(env = process.env) {
  return Number(env.PORT || DEFAULTS.PORT);
}

export function publicUrl(env = process.env) {
  if (env.SB_PUBLIC_URL) return env.SB_PUBLIC_URL.replace(/\/+$/, '');
  return `http://localhost:${gatewayPort(env)}`;
}

/** GET a URL once; resolves to the HTTP status, or 0 when nothing answers. */
export async function probeHttp(url, timeoutMs = 2000) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => undefined);
    return res.status;
  } catch {
    return 0;
  }
}

/**
 * Poll `url` until it answers 200. Resolves true once it does; rejects with an Error naming the
 * URL and the last status after `timeoutMs`. options: { intervalMs = 300, signal }.
 */
export async function waitReady(url, timeoutMs = 60_000, { intervalMs = 300, signal } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  for (;;) {
    if (signal?.aborted) throw new Error(`waiting for ${url} aborted`);
    last = await probeHttp(url, Math.min(2000, Math.max(200, deadline - Date.now())));
    if (last === 200) return true;
    if (Date.now() >= deadline) {
      throw new Error(
        `${url} not ready after ${Math.round(timeoutMs / 1000)} s (last: ${last ? `HTTP ${last}` : 'no answer'})`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Wait for several services; resolves to { ready: [names], notReady: [names] }. */
export async function waitAllReady(services, timeoutMs = 120_000, { onReady, signal } = {}) {
  const ready = [];
  const notReady = [];
  await Promise.all(
    services.map(async (svc) => {
      const t0 = Date.now();
      try {
        await waitReady(svc.readyUrl, timeoutMs, { signal });
        ready.push(svc.name);
        onReady?.(svc, Date.now() - t0);
      } catch {
        notReady.push(svc.name);
      }
    }),
  );
  return { ready, notReady };
}

function shellQuote(v) {
  return `'${String(v).replace(/'/g, `'\\''`)}'`;
}

async function cli(argv) {
  const [cmd, name] = argv;
  if (!cmd || cmd === 'list') {
    for (const s of SERVICES) {
      const mark = entryExists(s) ? ' ' : '!';
      console.log(`${mark} ${s.name.padEnd(17)} ${String(s.healthPort ?? '-').padEnd(5)} ${s.entry}  ${s.readyUrl}`);
    }
    if (SERVICES.some((s) => !entryExists(s))) console.log('(! = entry file missing)');
    return;
  }
  if (cmd === 'env') {
    const svc = getService(name);
    const secrets = await loadDevSecrets();
    const env = serviceEnv(svc, { secrets });
    const always = new Set(['NATS_URL', 'DATABASE_URL', 'SB_PREFIX', 'HEALTH_PORT']);
    for (const [k, v] of Object.entries(env)) {
      if (always.has(k) || process.env[k] !== v) console.log(`export ${k}=${shellQuote(v)}`);
    }
    console.log(`# then: node ${serviceArgs(svc).join(' ')}`);
    return;
  }
  if (cmd === 'compose-env') {
    const secrets = await loadDevSecrets();
    console.log(`SB_TRACKING_SECRET=${secrets.trackingSecret}`);
    console.log(`SB_INBOX_SECRET=${secrets.inboxSecret}`);
    console.log(`VAPID_PUBLIC_KEY=${secrets.vapidPublicKey}`);
    console.log(`VAPID_PRIVATE_KEY=${secrets.vapidPrivateKey}`);
    console.log(`POSTGRES_PASSWORD=${secrets.postgresPassword}`);
    for (const [user, password] of Object.entries(secrets.natsPasswords))
      console.log(`${natsPasswordVar(user)}=${password}`);
    return;
  }
  console.error('usage: node scripts/services.mjs [list | env <service> | compose-env]');
  process.exitCode = 2;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
