/**
 * Decisions per second for batches of 500 over 1M stored contacts, through the real RPC to the
 * real service process (its own main.ts), on the machine's NATS and PostgreSQL.
 *
 *   node -r @swc-node/register services/preferences/bench/decide.bench.ts [--contacts 1000000] [--batches 200]
 *
 * Seeds with one generate_series INSERT per table (then VACUUM and CHECKPOINT, so the run measures a
 * settled audience, not the bulk load's aftermath); every contact has email, mobile and a time zone,
 * 10% a rule on sms, 1% a DNC entry on email; the default rule FREQUENCY_DEFAULT_EMAIL=3/DAY makes
 * every request read its ledger window. Requests pick contacts uniformly at random, so pages are
 * mostly cold, as with a real audience. Not a test: nothing here asserts a figure.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { NatsNames, packDecisionRequests, preferencesDecide, type DecisionRequest } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { cpuMs, createTestEnv, freePort, peakRssMb, spawnService } from '@switchboard/testing';
import { emitResult } from '../../../bench/lib/report';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const QUICK = process.argv.includes('--quick');
const CONTACTS = arg('contacts', QUICK ? 200_000 : 1_000_000);
const BATCHES = arg('batches', QUICK ? 60 : 200);
const BATCH = 500;

async function seed(databaseUrl: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const started = performance.now();
  await db.query(
    `INSERT INTO preferences.contacts (id, email, mobile, firstname, timezone, fields)
     SELECT 'c' || g, 'c' || g || '@example.com', '+1415' || lpad((5550000 + g % 10000)::text, 7, '0'), 'Name' || g,
            (ARRAY['Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'UTC'])[1 + g % 4], jsonb_build_object('plan', 'p' || (g % 5))
       FROM generate_series(1, $1::int) g`,
    [CONTACTS],
  );
  await db.query(
    `INSERT INTO preferences.channel_rules (contact_id, channel, frequency_number, frequency_time)
     SELECT 'c' || g, 'sms', 2, 'WEEK' FROM generate_series(10, $1::int, 10) g`,
    [CONTACTS],
  );
  await db.query(
    `INSERT INTO preferences.dnc_entries (contact_id, channel, reason, date_added)
     SELECT 'c' || g, 'email', 1, now() FROM generate_series(100, $1::int, 100) g`,
    [CONTACTS],
  );
  const seeded = performance.now() - started;
  // A real audience is long-lived: hint bits set, statistics current, the bulk load checkpointed.
  await db.query('VACUUM (ANALYZE) preferences.contacts, preferences.channel_rules, preferences.dnc_entries');
  await db.query('CHECKPOINT');
  await db.end();
  return seeded;
}

function batch(): DecisionRequest[] {
  const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
  return Array.from({ length: BATCH }, () => ({
    sendId: randomUUID(),
    attempt: 0,
    contactId: `c${1 + Math.floor(Math.random() * CONTACTS)}`,
    channels: ['email', 'sms', 'tweet'],
    contentUnavailable: [],
    excludeChannels: [],
    deferrals: 0,
    expiresAt,
  }));
}

/** CPU used by the service, its PostgreSQL backends and this client, so the figure can be read apart from other load. */
async function cpuSnapshot(db: Client, servicePid: number): Promise<Map<string, number>> {
  const { rows } = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  const own = process.cpuUsage();
  return new Map([
    ['service', cpuMs(servicePid)],
    ['client', (own.user + own.system) / 1000],
    ...rows.map((r): [string, number] => [`pg:${r.pid}`, cpuMs(r.pid)]),
  ]);
}

function cpuSpent(
  before: Map<string, number>,
  after: Map<string, number>,
): { service: number; postgres: number; client: number } {
  const spent = { service: 0, postgres: 0, client: 0 };
  for (const [key, value] of after) {
    const delta = value - (before.get(key) ?? value);
    if (key.startsWith('pg:')) spent.postgres += delta;
    else spent[key as 'service' | 'client'] += delta;
  }
  return spent;
}

async function run(
  rpc: RpcClient,
  batches: number,
  concurrency: number,
): Promise<{ perSecond: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches) {
        next++;
        const requests = batch();
        const t = performance.now();
        const { decisions } = await rpc.call(preferencesDecide, packDecisionRequests(requests), { timeoutMs: 30_000 });
        latencies.push(performance.now() - t);
        if (decisions.length !== BATCH) throw new Error('short answer');
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: (batches * BATCH) / seconds,
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p99: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))],
  };
}

async function main(): Promise<void> {
  const env = await createTestEnv();
  const service = await spawnService(
    env,
    'preferences',
    { FREQUENCY_DEFAULT_EMAIL: '3/DAY', QUIET_HOURS_SMS: '21:00-08:00', LOG_LEVEL: 'warn' },
    await freePort(),
  );
  const figures: Record<string, number> = {};
  const nc = await connect({ servers: env.natsUrl });
  try {
    const seedMs = await seed(env.databaseUrl);
    console.log(`seeded ${CONTACTS.toLocaleString()} contacts in ${(seedMs / 1000).toFixed(1)} s`);
    const rpc = new RpcClient(nc, new NatsNames(env.prefix), 30_000);
    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    await run(rpc, 10, 4); // warm up: every pooled connection, JIT, plan cache
    for (const concurrency of [1, 2, 4]) {
      const before = await cpuSnapshot(db, service.process.pid!);
      const r = await run(rpc, BATCHES, concurrency);
      const cpu = cpuSpent(before, await cpuSnapshot(db, service.process.pid!));
      const perDecision = (ms: number) => ((ms * 1000) / (BATCHES * BATCH)).toFixed(0);
      const total = cpu.service + cpu.postgres + cpu.client;
      figures[`inFlight${concurrency}`] = Math.round(r.perSecond);
      figures[`inFlight${concurrency}BatchP99Ms`] = Math.round(r.p99);
      console.log(
        `batches of ${BATCH}, ${concurrency} in flight: ${Math.round(r.perSecond).toLocaleString()} decisions/s ` +
          `(batch p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${(BATCHES * BATCH).toLocaleString()} decisions); ` +
          `CPU per decision: service ${perDecision(cpu.service)} µs, postgres ${perDecision(cpu.postgres)} µs, client ${perDecision(cpu.client)} µs ` +
          `=> ${Math.round((BATCHES * BATCH * 2000) / total).toLocaleString()}/s if these had 2 idle cores to themselves`,
      );
    }
    emitResult('decide', {
      contacts: CONTACTS,
      batch: BATCH,
      perSecond: Math.max(figures.inFlight1, figures.inFlight2, figures.inFlight4),
      ...figures,
      memoryMb: { preferences: peakRssMb(service.process.pid!) },
    });
    console.log(
      `machine load average while measuring: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );
    await db.end();
  } finally {
    await nc.close();
    await service.kill();
    await env.cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
