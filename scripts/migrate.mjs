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
import { ROOT, SERVICES, entryExists, loadDevSecrets } from './services.mjs';
import { ensureDependencies } from './lib/deps.mjs';
import { bold, green, red, stopTree } from './lib/procs.mjs';
import { runMigrateSteps } from './lib/migrate-step.mjs';

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
const ctx = {
  natsUrl: infra.natsUrl,
  databaseUrl: infra.databaseUrl,
  secrets,
  // NATS with users (docker compose's): the steps connect as `provisioner`.
  ...(infra.natsAuthRequired ? { natsPasswords: secrets.natsPasswords } : {}),
};

const children = new Set();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    interrupted = true;
    for (const child of children) void stopTree(child);
  });

const failed = await runMigrateSteps(selected, ctx, {
  parallel: PARALLEL,
  timeoutMs: STEP_TIMEOUT_MS,
  children,
  isInterrupted: () => interrupted,
  onDone: (svc, { code, output }, ms) => {
    if (code === 0) say(`${green('✓')} ${svc.name} (${(ms / 1000).toFixed(1)} s)`);
    else console.error(red(`${tag} ✗ ${svc.name} exited ${code}:\n${output}`));
  },
});
await infra.stop();
if (interrupted) process.exit(130);
say(failed.length ? red(`failed: ${failed.join(', ')}`) : green(`${selected.length} migrate steps done`));
process.exit(failed.length ? 1 : 0);
