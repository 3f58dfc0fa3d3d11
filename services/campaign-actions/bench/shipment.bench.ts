/**
 * A broadcast shipment to N contacts (1,000,000 by default; `--quick` 50,000), approve → every send
 * routed, in the same run as the route benchmark's own measurement (issue 18). Every service runs
 * as its own process (its main.ts) on the machine's NATS and PostgreSQL: catalog, preferences,
 * campaign-actions and router, started and fed by the route benchmark's functions. The audience is
 * a real segment in preferences: N contacts and their memberships written by `generate_series`.
 *
 * In one run, alternating so both see the same machine:
 *  1. route rounds as in route.bench.ts (campaign actions of 1,000 contacts → dispatch + outcome),
 *     each beside a bare-JetStream baseline round;
 *  2. the campaign (audience: the segment, schedule now) is created, submitted and approved through
 *     campaign-actions' API; the clock runs from the approval to the last of the N dispatches and
 *     routed outcomes; every process's RSS is sampled every 2 s;
 *  3. one more route round after it.
 * Figures: shipment contacts/s ÷ route contacts/s (the goal: ≥ 0.90), both against the baseline; CPU
 * per contact of every process (services, nats-server, PostgreSQL backends by service) in the
 * shipment and in the route rounds; RSS over the shipment (first → last fifth of the samples).
 *
 *   node -r @swc-node/register services/campaign-actions/bench/shipment.bench.ts [--contacts 1000000] [--quick]
 *        [--count 20000] [--rounds 2]
 *
 * Not a test: nothing here asserts a figure.
 */
import { readFileSync } from 'node:fs';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client as Pg } from 'pg';
import {
  campaignsCreate,
  campaignsShipments,
  campaignsTransition,
  preferencesSegmentsSave,
  type CampaignActor,
} from '@switchboard/contracts';
import { createTestEnv, type TestEnv } from '@switchboard/testing';
import { measureBaseline } from '../../../bench/lib/baseline';
import { CpuLedger, natsServerPids } from '../../../bench/lib/cpu-ledger';
import { emitResult, flag, numberArg } from '../../../bench/lib/report';
import { median, round, summarize } from '../../../bench/lib/stats';
import { prepareRoute, startAll, Tally, type System } from '../../router/bench/route.bench';
import { announceChannels, connectClient, type Client } from '../../router/test/support/pipeline';

const QUICK = flag('quick');
const CONTACTS = numberArg('contacts', QUICK ? 50_000 : 1_000_000);
/** Contacts per route round (the route benchmark's --count). */
const COUNT = numberArg('count', QUICK ? 5_000 : 20_000);
/** Route rounds before the shipment; one more follows it. */
const ROUNDS = numberArg('rounds', 2);
const SAMPLE_MS = 2_000;
const mia: CampaignActor = { id: 'user:1', name: 'mia', role: 'marketer' };
const abe: CampaignActor = { id: 'user:2', name: 'abe', role: 'approver' };

/** Contact ids of the segment: `s0000000`.., so that id order is number order. */
const SEGMENT_ID_SQL = `'s' || lpad(i::text, 7, '0')`;

async function main(): Promise<void> {
  const env = await createTestEnv();
  const client = await connectClient(env);
  const beats = announceChannels(client, env, ['email']);
  const observer = await connect({ servers: env.natsUrl });
  let system: System | undefined;
  try {
    system = await startAll(env);
    await run(env, client, observer, system);
  } finally {
    beats.stop();
    await observer.close();
    await system?.close();
    await client.nc.close();
    await env.cleanup();
  }
}

/** A segment of CONTACTS contacts with an email each, written by SQL (as an import would leave them, far faster). */
async function seedSegment(env: TestEnv, client: Client): Promise<number> {
  const { segment } = await client.rpc.call(preferencesSegmentsSave, {
    mode: 'create',
    input: { name: 'Shipment bench' },
    actor: { id: null, name: 'bench' },
  });
  const db = new Pg({ connectionString: env.databaseUrl });
  await db.connect();
  try {
    const t = performance.now();
    await db.query(
      `INSERT INTO preferences.contacts (id, email, firstname)
       SELECT ${SEGMENT_ID_SQL}, 's' || i || '@example.org', 'Reader ' || i FROM generate_series(0, $1::int - 1) i`,
      [CONTACTS],
    );
    await db.query(
      `INSERT INTO preferences.segment_members (segment_id, contact_id)
       SELECT $1, ${SEGMENT_ID_SQL} FROM generate_series(0, $2::int - 1) i`,
      [segment.id, CONTACTS],
    );
    await db.query('VACUUM (ANALYZE) preferences.contacts, preferences.segment_members');
    await db.query('CHECKPOINT');
    console.log(
      `seeded ${CONTACTS.toLocaleString('en-US')} contacts in segment ${segment.id} in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
  } finally {
    await db.end();
  }
  return Number(segment.id);
}

function rssOf(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function run(env: TestEnv, client: Client, observer: NatsConnection, system: System): Promise<void> {
  const tally = new Tally(observer, env.names);
  const { messageId, throughput } = await prepareRoute(env, client, tally, COUNT);
  const segmentId = await seedSegment(env, client);
  await throughput(Math.min(2_000, COUNT)); // warm-up

  const routeCpu = await CpuLedger.open(env.databaseUrl, system.pids);
  const baselines: number[] = [];
  const routeRates: number[] = [];
  const routeRound = async () => {
    baselines.push((await measureBaseline(env.natsUrl, COUNT)).perSecond);
    await routeCpu.start();
    routeRates.push(await throughput(COUNT));
    await routeCpu.stop();
    console.log(
      `route round: ${round(routeRates.at(-1)!).toLocaleString('en-US')} contacts/s (baseline ${round(baselines.at(-1)!).toLocaleString('en-US')} msg/s), load ${loadAverage()}`,
    );
  };
  for (let r = 0; r < ROUNDS; r++) await routeRound();

  // The shipment: created, submitted and approved through campaign-actions' API; the clock starts at the approval.
  const campaign = await client.rpc.call(campaignsCreate, {
    campaign: {
      name: 'Shipment bench',
      messageId,
      audience: { include: [segmentId], exclude: [] },
      schedule: { type: 'now' },
    },
    actor: mia,
  });
  await client.rpc.call(campaignsTransition, { id: campaign.id, action: 'submit', actor: mia });
  const shipCpu = await CpuLedger.open(env.databaseUrl, system.pids);
  const pids: Record<string, number> = { ...system.pids, 'nats-server': natsServerPids()[0] };
  const samples: { s: number; rss: Record<string, number | undefined> }[] = [];
  const [d0, o0] = [tally.dispatches, tally.outcomes];
  const loadBefore = loadAverage();
  await shipCpu.start();
  const started = performance.now();
  const sample = () => {
    samples.push({
      s: round((performance.now() - started) / 1000, 1),
      rss: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssOf(pid)])),
    });
    void shipCpu.sample();
  };
  sample();
  const sampler = setInterval(sample, SAMPLE_MS);
  const progress = setInterval(
    () =>
      console.log(
        `  shipment: ${(tally.outcomes - o0).toLocaleString('en-US')} routed after ${((performance.now() - started) / 1000).toFixed(0)} s`,
      ),
    30_000,
  );
  try {
    await client.rpc.call(campaignsTransition, { id: campaign.id, action: 'approve', actor: abe });
    await tally.until(d0 + CONTACTS, o0 + CONTACTS, 4 * 3600_000);
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
  }
  const shipSeconds = (performance.now() - started) / 1000;
  sample();
  await shipCpu.stop();
  const loadAfter = loadAverage();
  const [shipment] = (await client.rpc.call(campaignsShipments, { id: campaign.id })).shipments;
  const shipmentRate = CONTACTS / shipSeconds;
  console.log(
    `shipment to ${CONTACTS.toLocaleString('en-US')} contacts: ${round(shipmentRate).toLocaleString('en-US')} contacts/s in ${shipSeconds.toFixed(1)} s ` +
      `(${shipment?.status}, ${shipment?.targets} targets, ${shipment?.requested} requested), load ${loadBefore} → ${loadAfter}`,
  );

  await routeRound();
  await routeCpu.close();
  await shipCpu.close();

  const routeRate = summarize(routeRates).median;
  const memory = Object.fromEntries(
    Object.keys(pids).map((name) => {
      const series = samples.map((x) => x.rss[name]).filter((v): v is number => v !== undefined);
      const fifth = Math.max(1, Math.floor(series.length / 5));
      const first = median(series.slice(0, fifth));
      const last = median(series.slice(-fifth));
      return [name, { firstMb: first, lastMb: last, growthMb: last - first, maxMb: Math.max(...series) }];
    }),
  );
  const figures = {
    contacts: CONTACTS,
    perSecond: round(shipmentRate),
    seconds: round(shipSeconds, 1),
    routePerSecond: round(routeRate),
    routeRates: routeRates.map((r) => round(r)),
    toRoute: round(shipmentRate / routeRate, 3),
    baselinePerSecond: round(summarize(baselines).median),
    toBaseline: round(shipmentRate / summarize(baselines).median, 3),
    routeToBaseline: round(summarize(routeRates.map((r, i) => r / baselines[i])).median, 3),
    cpuMicrosPerContact: shipCpu.perUnit(CONTACTS),
    cpuMicrosPerContactTotal: shipCpu.totalPerUnit(CONTACTS),
    routeCpuMicrosPerContact: routeCpu.perUnit(COUNT * routeRates.length),
    routeCpuMicrosPerContactTotal: routeCpu.totalPerUnit(COUNT * routeRates.length),
    /**
     * The route's CPU per contact over the shipment's: the ratio of rates the two would have on a
     * machine given to them alone (both are CPU-bound on two cores); it holds when other work on a
     * shared machine comes and goes during the long shipment, which the wall-clock ratio does not.
     */
    toRouteByCpu: round(
      routeCpu.totalPerUnit(COUNT * routeRates.length) / Math.max(1, shipCpu.totalPerUnit(CONTACTS)),
      3,
    ),
    memoryOverShipment: memory,
    rssSamples: samples.length,
    load: { before: loadBefore, after: loadAfter },
    shipment: { status: shipment?.status, targets: shipment?.targets, requested: shipment?.requested },
  };
  const cpuLine = (perUnit: Record<string, number>) =>
    Object.entries(perUnit)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  console.log(
    `shipment ${figures.perSecond.toLocaleString('en-US')} contacts/s = ${figures.toRoute} of the route's ${figures.routePerSecond.toLocaleString('en-US')} in the same run ` +
      `(goal ≥ 0.90); by CPU per contact ${figures.toRouteByCpu}; to the baseline: shipment ${figures.toBaseline}, route ${figures.routeToBaseline}`,
  );
  console.log(
    `  CPU per contact, shipment: ${cpuLine(figures.cpuMicrosPerContact)} = ${figures.cpuMicrosPerContactTotal} µs`,
  );
  console.log(
    `  CPU per contact, route:    ${cpuLine(figures.routeCpuMicrosPerContact)} = ${figures.routeCpuMicrosPerContactTotal} µs`,
  );
  for (const [name, m] of Object.entries(memory))
    console.log(`  RSS ${name}: ${m.firstMb} → ${m.lastMb} MiB (max ${m.maxMb}) over ${samples.length} samples`);
  console.log(
    `  RSS samples (s: ${Object.keys(pids).join(' / ')}): ` +
      samples
        .filter((_, i) => i % Math.max(1, Math.ceil(samples.length / 12)) === 0 || i === samples.length - 1)
        .map((x) => `${x.s}: ${Object.values(x.rss).join('/')}`)
        .join('; '),
  );
  emitResult('shipment', { ...figures, memoryMb: system.memoryMb() });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
