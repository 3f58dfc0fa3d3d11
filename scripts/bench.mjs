#!/usr/bin/env node
// `npm run bench [-- --quick] [-- only-step ...]`: every benchmark, each in its own process, on the
// machine's NATS and PostgreSQL (started locally when none answers, as for npm start). Each
// benchmark prints its table and a `BENCH_RESULT <json>` line; this prints a summary table with
// ratios to the bare-JetStream baseline measured in the same run, then one JSON line with every
// figure, and writes the same JSON to bench/results/<time>.json.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureInfra } from './infra.mjs';
import { ROOT } from './services.mjs';
import { ensureDependencies } from './lib/deps.mjs';

const STEPS = [
  { name: 'baseline', file: 'bench/baseline.bench.ts' },
  { name: 'route', file: 'services/router/bench/route.bench.ts' },
  { name: 'decide', file: 'services/preferences/bench/decide.bench.ts' },
  { name: 'email', file: 'services/sender-email/bench/email.bench.ts' },
  { name: 'api', file: 'bench/api.bench.ts' },
  { name: 'deliveries', file: 'services/tracker/bench/deliveries.bench.ts' },
  { name: 'audience', file: 'services/preferences/bench/audience.bench.ts' },
  { name: 'inbox', file: 'services/sender-inapp/bench/inbox.bench.ts' },
  { name: 'shipment', file: 'services/campaign-actions/bench/shipment.bench.ts' },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));

function runStep(step, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', step.file, ...(quick ? ['--quick'] : [])], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let result;
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.startsWith('BENCH_RESULT ')) result = JSON.parse(line.slice('BENCH_RESULT '.length));
        else process.stdout.write(`  [${step.name}] ${line}\n`);
      }
    });
    child.on('exit', (code) =>
      resolve(
        code === 0 && result ? result : { name: step.name, error: `exit ${code}${result ? '' : ', no BENCH_RESULT'}` },
      ),
    );
  });
}

const fmt = (n) => (typeof n === 'number' ? n.toLocaleString('en-US', { maximumFractionDigits: 1 }) : String(n ?? '—'));

ensureDependencies(ROOT, (m) => console.log(m));
const infra = await ensureInfra({ log: (m) => console.log(`[infra] ${m}`) });
const env = {
  ...process.env,
  NATS_URL: infra.natsUrl,
  DATABASE_URL: infra.databaseUrl,
  LOG_LEVEL: 'error',
  TEST_LOG_LEVEL: 'silent',
};
const started = Date.now();
const results = {};
try {
  for (const step of STEPS) {
    if (only.length && !only.includes(step.name) && step.name !== 'baseline') continue;
    if (!existsSync(path.join(ROOT, step.file))) {
      results[step.name] = { name: step.name, error: 'not written yet' };
      continue;
    }
    console.log(`\n== ${step.name} (${step.file})`);
    results[step.name] = await runStep(step, env);
  }
} finally {
  await infra.stop();
}

const base = results.baseline?.perSecond;
const ratio = (v) => (base && typeof v === 'number' ? `${((v / base) * 100).toFixed(0)}% of baseline` : '');
const rows = [
  ['baseline (JetStream publish → consume)', `${fmt(base)} msg/s`, ''],
  ['route (action in → dispatch out)', `${fmt(results.route?.perSecond)} contacts/s`, ratio(results.route?.perSecond)],
  [
    'route ceiling (same messages, bare relays)',
    `${fmt(results.route?.relayCeilingPerSecond)} contacts/s`,
    results.route?.relayCeilingToBaseline
      ? `${(results.route.relayCeilingToBaseline * 100).toFixed(0)}% of baseline in its rounds`
      : '',
  ],
  [
    'route CPU per contact (µs)',
    Object.entries(results.route?.cpuMicrosPerContact ?? {})
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || '—',
    results.route?.cpuMicrosPerContactTotal
      ? `${results.route.cpuMicrosPerContactTotal} µs in all; a bare message ${fmt(results.route.baselineCpuMicrosPerMessage)} µs; the bench's producer and observer ${fmt(results.route.observerCpuMicrosPerContact)} µs`
      : '',
  ],
  [
    'route ceiling CPU per contact (µs)',
    Object.entries(results.route?.relayCpuMicrosPerContact ?? {})
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || '—',
    results.route?.relayCpuMicrosPerContactTotal ? `${results.route.relayCpuMicrosPerContactTotal} µs in all` : '',
  ],
  ...(results.route?.latency ?? []).map((l) => [
    `latency @ ${l.rate}/s`,
    `p50 ${fmt(l.p50Ms)} ms, p99 ${fmt(l.p99Ms)} ms, max ${fmt(l.maxMs)} ms`,
    '',
  ]),
  ['decide (batches of 500)', `${fmt(results.decide?.perSecond)} decisions/s`, ratio(results.decide?.perSecond)],
  [
    `shipment, approve → routed (${fmt(results.shipment?.contacts)} contacts)`,
    `${fmt(results.shipment?.perSecond)} contacts/s = ${fmt(results.shipment?.toRoute)} of its run's route rate ` +
      `(${fmt(results.shipment?.toRouteByCpu)} by CPU per contact), ${fmt(results.shipment?.cpuMicrosPerContactTotal)} µs CPU/contact`,
    ratio(results.shipment?.perSecond),
  ],
  ['email (loopback SMTP)', `${fmt(results.email?.perSecond)} emails/s`, ratio(results.email?.perSecond)],
  [
    'api GET /api/messages/{id}',
    `${fmt(results.api?.getMessage?.perSecond)} req/s, p99 ${fmt(results.api?.getMessage?.p99Ms)} ms`,
    '',
  ],
  [
    'api GET /api/messages (list)',
    `${fmt(results.api?.listMessages?.perSecond)} req/s, p99 ${fmt(results.api?.listMessages?.p99Ms)} ms`,
    '',
  ],
  [
    `deliveries page (50 rows, ${fmt(results.deliveries?.rows)} stored)`,
    `p99 ${fmt(results.deliveries?.p99Ms)} ms, worst case p99 ${fmt(results.deliveries?.worstP99Ms)} ms`,
    '',
  ],
  [
    'inbox writes (router-shaped dispatch batches)',
    `${fmt(results.inbox?.writesPerSecond)} writes/s`,
    ratio(results.inbox?.writesPerSecond),
  ],
  [
    'inbox CPU per write (µs)',
    Object.entries(results.inbox?.cpuMicrosPerWrite ?? {})
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || '—',
    results.inbox?.cpuMicrosPerWriteTotal ? `${results.inbox.cpuMicrosPerWriteTotal} µs in all` : '',
  ],
  [
    `GET /inbox/messages (${fmt(results.inbox?.rows)} stored)`,
    `${fmt(results.inbox?.list?.perSecond)} req/s, p99 ${fmt(results.inbox?.list?.p99Ms)} ms`,
    ratio(results.inbox?.list?.perSecond),
  ],
  [
    'GET /inbox/messages CPU per request (µs)',
    Object.entries(results.inbox?.list?.cpuMicrosPerRequest ?? {})
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || '—',
    results.inbox?.list?.sql ? `SQL p99 ${results.inbox.list.sql.p99Ms} ms` : '',
  ],
  [
    'GET /inbox/unread-count',
    `${fmt(results.inbox?.unreadCount?.perSecond)} req/s, p99 ${fmt(results.inbox?.unreadCount?.p99Ms)} ms`,
    '',
  ],
];
console.log(
  '\nSwitchboard benchmarks' + (quick ? ' (quick)' : '') + ` — ${os.cpus().length} cores, node ${process.version}`,
);
const width = Math.max(...rows.map((r) => r[0].length));
for (const [label, value, extra] of rows)
  console.log(`  ${label.padEnd(width)}  ${value}${extra ? `  (${extra})` : ''}`);
for (const [name, r] of Object.entries(results)) if (r.error) console.log(`  ! ${name}: ${r.error}`);
const memory = Object.assign({}, ...Object.values(results).map((r) => r.memoryMb ?? {}));
if (Object.keys(memory).length)
  console.log(
    `  peak RSS (MiB): ${Object.entries(memory)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
const soak = results.route?.memoryOverTime;
if (soak) {
  const growth = Object.entries(soak.services).map(([k, v]) => `${k} ${v.firstMb}→${v.lastMb}`);
  console.log(
    `  RSS over ${soak.seconds} s at ${fmt(soak.offeredPerSecond)} contacts/s (MiB, first→last fifth): ${growth.join(', ')}`,
  );
}

const summary = {
  at: new Date().toISOString(),
  quick,
  seconds: Math.round((Date.now() - started) / 1000),
  cores: os.cpus().length,
  node: process.version,
  results,
};
mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(
  path.join(ROOT, 'bench', 'results', `${summary.at.replace(/[:.]/g, '-')}.json`),
  JSON.stringify(summary, null, 2),
);
console.log(JSON.stringify(summary));
process.exit(Object.values(results).some((r) => r.error && r.error !== 'not written yet') ? 1 : 0);
