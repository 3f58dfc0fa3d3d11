#!/usr/bin/env node
// `npm run migrate`: every service's migrate step — its database migrations, the JetStream
// streams and its durable consumers — then exits. It is the step the Helm chart's migrate Job runs
// (deploy/helm/switchboard/templates/migrate-job.yaml): each service is run once with
// MIGRATE_ONLY=true (libs/service-kit's runMigrateStep: no consumer, timer or port starts), a few
// at a time; each step takes its advisory lock, so they may overlap with one another or with
// services booting with MIGRATE_ON_BOOT.
//
// Usage: npm run migrate [-- <service> ...]   only these services
// NATS and PostgreSQL are started under .data/ when they do not answer (scripts/infra.mjs), as for
// npm start, and stopped again at the end. Exit status 0 when every step succeeded.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DEV_PROVIDERS, ROOT, SERVICES, entryExists, loadDevSecrets, serviceArgs, serviceEnv } from './services.mjs';
import { ensureDependencies } from './lib/deps.mjs';
import { bold, green, red, stopTree } from './lib/procs.mjs';

const tag = bold('[migrate]');
const say = (m) => console.log(`${tag} ${m}`);
// Each step compiles its service on the fly (swc) and opens a few connections: two cores run
// about this many at once without one step's boot slowing the others past their timeouts.
const PARALLEL = Number(process.env.SB_MIGRATE_PARALLEL || 3);
const STEP_TIMEOUT_MS = Number(process.env.SB_MIGRATE_TIMEOUT_MS || 300_000);

const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = only.filter((n) => !SERVICES.some((s) => s.name === n && s.kind === 'service'));
if (unknown.length) {
  console.error(red(`${tag} unknown service(s): ${unknown.join(', ')}`));
  process.exit(2);
}
const selected = SERVICES.filter(
  (s) => s.kind === 'service' && entryExists(s) && (!only.length || only.includes(s.name)),
);

ensureDependencies(ROOT, say);
const secrets = await loadDevSecrets();
const infraModule = await import('./infra.mjs');
const infra = await infraModule.ensureInfra({ log: say });
// The loopback providers' settings, as npm start gives them: a service's config is validated whole
// before its migrate step, so a sender needs its provider's settings even though the step calls none.
const ctx = { natsUrl: infra.natsUrl, databaseUrl: infra.databaseUrl, secrets };

const children = new Set();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    interrupted = true;
    for (const child of children) void stopTree(child);
  });

/** Runs one service's migrate step; resolves with its exit code and the tail of its output. */
function migrateStep(svc) {
  return new Promise((resolve) => {
    const env = { ...serviceEnv(svc, ctx), MIGRATE_ONLY: 'true' };
    // The fakes write their files (web-push CA, FCM account) when they start; a migrate step makes
    // no call that needs them, and a setting naming a missing file fails the config.
    for (const [key, value] of Object.entries(env))
      if (value?.startsWith(DEV_PROVIDERS.stateDir) && !existsSync(value)) delete env[key];
    const child = spawn(process.execPath, serviceArgs(svc), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    const keep = (chunk) => (output = (output + chunk).slice(-4_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      keep(`\n(no exit after ${STEP_TIMEOUT_MS} ms: stopped)`);
      void stopTree(child);
    }, STEP_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code: code ?? 1, output });
    });
  });
}

const failed = [];
const queue = [...selected];
await Promise.all(
  Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
    for (let svc = queue.shift(); svc && !interrupted; svc = queue.shift()) {
      const started = Date.now();
      const { code, output } = await migrateStep(svc);
      if (code === 0) say(`${green('✓')} ${svc.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      else {
        failed.push(svc.name);
        console.error(red(`${tag} ✗ ${svc.name} exited ${code}:\n${output}`));
      }
    }
  }),
);
await infra.stop();
if (interrupted) process.exit(130);
say(failed.length ? red(`failed: ${failed.join(', ')}`) : green(`${selected.length} migrate steps done`));
process.exit(failed.length ? 1 : 0);
