#!/usr/bin/env node
// `npm run chaos`: issue 14 point 3 — a restart is never a lost send, shown under fire.
//
// Starts a Switchboard of its own (its own nats-server and PostgreSQL on free ports, the fake
// providers and every service as supervised processes, all in a temporary directory), runs a
// broadcast campaign to CHAOS_CONTACTS contacts (half by email, half by SMS) set up through the REST
// API, and while it runs: SIGKILLs every service (each restarted after 1 s, as `npm start` does),
// restarts nats-server and PostgreSQL, and takes the SMTP fake down for 10 s. Then it checks from
// the outside (scripts/lib/chaos/checks.mjs) that every send has exactly one final routing outcome,
// none failed, every one reached its fake provider, repeats stay within the calls in flight at each
// sender crash and are each named by resentAfterCrash, nothing was dead-lettered; and it measures
// the time to drain after the last fault. Prints figures, the checks, and last `N passed, N failed`;
// exits 1 when a check failed or the run could not finish.
//
// Environment:
//   CHAOS_CONTACTS     contacts in the campaign (default 20000)
//   CHAOS_PLAN         full (default): every fault above; short: kill sender-email and the router,
//                      restart nats-server (what `npm test` runs, with 1,500 contacts)
//   CHAOS_DRAIN_TIMEOUT_MS   how long to wait for the campaign to drain after the last fault
//                      (default 30 min; under heavy load everything is slow, so it is generous)
//   CHAOS_KEEP         failure (default): keep the temporary directory (logs, data) when a check
//                      failed; always; never
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATA_DIR } from './services.mjs';
import { PidRegistry, bold, green, red, sleep } from './lib/procs.mjs';
import { apiClient, basic } from './lib/chaos/api.mjs';
import { ADMIN, startCluster } from './lib/chaos/cluster.mjs';
import { reachedCount, verify, waitDrained } from './lib/chaos/checks.mjs';
import { prepareCampaign } from './lib/chaos/scenario.mjs';

const CONTACTS = Number(process.env.CHAOS_CONTACTS || 20_000);
const PLAN = process.env.CHAOS_PLAN || 'full';
const DRAIN_TIMEOUT_MS = Number(process.env.CHAOS_DRAIN_TIMEOUT_MS || 30 * 60_000);
const KEEP = process.env.CHAOS_KEEP || 'failure';
const RUN_DIR = path.join(DATA_DIR, 'run');
/** Each sender instance claims at most SENDER_BATCH_SIZE × SENDER_CONCURRENCY calls at once (libs/channel-sdk). */
const SENDER_BATCH_SIZE = 32;
const SENDER_CONCURRENCY = 4;
const SMTP_DOWN_MS = 10_000;
/** sender-email's SMTP connections: an SMTP outage can cut at most this many calls mid-answer. */
const SMTP_POOL_SIZE = 5;

const say = (m) => console.log(`[chaos] ${m}`);

const kill = (target) => ({ kind: 'kill', target, run: (c) => c.crash(target) });
/** A server restart is over once every service answers /ready again (it checks NATS and the database). */
const natsRestart = {
  kind: 'restart',
  target: 'nats-server',
  run: async (c) => {
    await c.restartNats();
    await c.waitAllReady();
  },
};
const pgRestart = {
  kind: 'restart',
  target: 'postgresql',
  run: async (c) => {
    await c.restartPostgres();
    await c.waitAllReady();
  },
};
const smtpDown = {
  kind: 'down',
  target: `smtp fake for ${SMTP_DOWN_MS / 1000} s`,
  run: async (c) => {
    await devControl(c, { provider: 'smtp', down: true });
    await sleep(SMTP_DOWN_MS);
    await devControl(c, { provider: 'smtp', down: false });
  },
};

/**
 * The faults in order. sender-email goes first, so that emails pile up in its consumer while the
 * rest happens, and the idle senders (push, tweet) next; the SMTP outage comes while email is
 * flowing again, so its breaker opens and drains.
 */
const PLANS = {
  full: [
    kill('sender-email'),
    kill('sender-push'),
    kill('sender-tweet'),
    kill('sender-inapp'),
    kill('gateway'),
    kill('catalog'),
    kill('campaign-actions'),
    kill('router'),
    natsRestart,
    kill('preferences'),
    smtpDown,
    kill('sender-sms'),
    pgRestart,
    kill('tracker'),
  ],
  short: [kill('sender-email'), kill('router'), natsRestart],
};

async function devControl(cluster, body) {
  const res = await fetch(`${cluster.devUrl}/dev/control`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`POST /dev/control answered ${res.status}: ${await res.text()}`);
}

/**
 * Runs the faults one after another, each once the campaign has made its share of progress (so they
 * spread over the run on a fast machine) or 60 s passed; records what was still outstanding.
 */
async function runFaults(cluster, plan, n) {
  const log = [];
  for (const [i, fault] of plan.entries()) {
    // Spread over the first 70 % of the campaign, so that the last fault still meets traffic.
    const share = i === 0 ? Math.min(50, Math.ceil(n / 20)) : Math.floor((n * 0.7 * i) / plan.length);
    const gateUntil = Date.now() + 60_000;
    while (Date.now() < gateUntil && (await reachedCount(cluster.devUrl)) < share) await sleep(500);
    const outstanding = Math.max(0, n - (await reachedCount(cluster.devUrl)));
    const at = Date.now();
    say(`fault ${i + 1}/${plan.length}: ${fault.kind} ${fault.target} (${outstanding} sends outstanding)`);
    await fault.run(cluster);
    const tookMs = Date.now() - at;
    say(`  back after ${(tookMs / 1000).toFixed(1)} s`);
    log.push({ kind: fault.kind, target: fault.target, at, tookMs, outstanding });
  }
  return log;
}

function printReport(figures, checks) {
  console.log('');
  console.log(bold('Figures'));
  const w = Math.max(...figures.map(([k]) => k.length));
  for (const [k, v] of figures) console.log(`  ${k.padEnd(w)}  ${v}`);
  console.log('');
  console.log(bold('Checks'));
  for (const c of checks)
    console.log(c.ok ? green(`  ✓ ${c.name}`) : red(`  ✗ ${c.name}${c.detail ? ` — ${c.detail}` : ''}`));
  console.log('');
}

async function main() {
  if (!PLANS[PLAN]) throw new Error(`CHAOS_PLAN must be one of ${Object.keys(PLANS).join(', ')}`);
  if (!Number.isInteger(CONTACTS) || CONTACTS < 10) throw new Error('CHAOS_CONTACTS must be an integer ≥ 10');
  const started = Date.now();
  await PidRegistry.reapStale(RUN_DIR, 'chaos', say);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-chaos-'));
  say(`${PLAN} plan, ${CONTACTS} contacts; everything under ${dir}`);
  const figures = [];
  const checks = [];
  let cluster = null;
  let failed = true;
  let stopping = false;
  const cleanup = async () => {
    await cluster?.stop().catch((err) => say(`stopping failed: ${err.message}`));
    if (KEEP === 'never' || (KEEP === 'failure' && !failed)) rmSync(dir, { recursive: true, force: true });
    else say(`kept ${dir} (logs in ${path.join(dir, 'logs')})`);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void interrupted(sig));
  const interrupted = async (why) => {
    if (stopping) return;
    stopping = true;
    say(`${why}: stopping`);
    await cleanup();
    process.exit(130);
  };
  // Whatever ran us (a Jest test that timed out, npm killed with SIGKILL) may go without a signal:
  // the servers and services are detached, so stop them ourselves.
  const parentPid = process.ppid;
  setInterval(() => {
    if (parentPid > 1 && process.ppid !== parentPid) void interrupted('parent process exited');
  }, 1000).unref();
  try {
    cluster = await startCluster({
      dir,
      runDir: RUN_DIR,
      say,
      extraEnv: {
        LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
        SENDER_BATCH_SIZE: String(SENDER_BATCH_SIZE),
        SENDER_CONCURRENCY: String(SENDER_CONCURRENCY),
        SMTP_POOL_SIZE: String(SMTP_POOL_SIZE),
      },
    });
    await cluster.waitAllReady();
    figures.push(['start (servers, fakes, every service ready)', `${((Date.now() - started) / 1000).toFixed(1)} s`]);
    const api = apiClient(cluster.gatewayUrl, basic(ADMIN.username, ADMIN.password));
    const campaign = await prepareCampaign(api, CONTACTS, say);
    figures.push(['contacts imported (CSV, 1 file)', `${CONTACTS} in ${(campaign.importMs / 1000).toFixed(1)} s`]);

    const approvedAt = Date.now();
    await campaign.approve();
    say('campaign approved: the shipment runs');
    const faults = await runFaults(cluster, PLANS[PLAN], CONTACTS);
    const lastFaultEnd = Math.max(...faults.map((f) => f.at + f.tookMs));
    const { reachedAt, recordedAt } = await waitDrained({
      api,
      devUrl: cluster.devUrl,
      contacts: campaign.contacts,
      campaignId: campaign.campaignId,
      deadline: lastFaultEnd + DRAIN_TIMEOUT_MS,
      say,
    });
    const secs = (ms) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);
    checks.push({
      name: 'the campaign drained after the last fault',
      ok: recordedAt !== null,
      detail: `not within CHAOS_DRAIN_TIMEOUT_MS (${DRAIN_TIMEOUT_MS / 1000} s); every message at its provider: ${reachedAt !== null}`,
    });
    figures.push(
      ['faults', faults.map((f) => `${f.kind} ${f.target} (${(f.tookMs / 1000).toFixed(0)} s)`).join(', ')],
      ['campaign, approval → every message at its provider', secs(reachedAt && reachedAt - approvedAt)],
      ['  … → every send shown sent by the deliveries log', secs(recordedAt && recordedAt - approvedAt)],
      [
        'time to drain after the last fault',
        `${secs(reachedAt && Math.max(0, reachedAt - lastFaultEnd))} to the providers, ${secs(recordedAt && Math.max(0, recordedAt - lastFaultEnd))} to the deliveries log`,
      ],
    );
    const result = await verify({
      api,
      cluster,
      contacts: campaign.contacts,
      campaignId: campaign.campaignId,
      faults,
      inFlightPerCrash: SENDER_BATCH_SIZE * SENDER_CONCURRENCY,
      smtpPoolSize: SMTP_POOL_SIZE,
      say,
    });
    figures.push(...result.figures);
    checks.push(...result.checks);
    const crashed = [...cluster.services.values()].filter((s) => s.crashes > 0);
    figures.push([
      'services that exited on their own',
      crashed.length ? crashed.map((s) => `${s.name} ×${s.crashes}`).join(', ') : 'none',
    ]);
  } catch (err) {
    checks.push({ name: 'the run finished', ok: false, detail: err.message });
  }
  figures.push(
    ['total run', `${((Date.now() - started) / 1000).toFixed(1)} s`],
    [
      'load average',
      os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' '),
    ],
  );
  printReport(figures, checks);
  const passed = checks.filter((c) => c.ok).length;
  const failedCount = checks.length - passed;
  failed = failedCount > 0 || passed === 0;
  stopping = true;
  await cleanup();
  console.log(`${passed} passed, ${failedCount} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
