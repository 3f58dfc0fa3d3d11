/**
 * Contacts routed per second end to end (DESIGN §9): campaign actions published on
 * sb.campaign.action.v1 → campaign-actions → sb.send.requested.v1 → router (catalog cache,
 * preferences.decide with its frequency reservation, the decision record) → the dispatch on
 * sb.dispatch.email.v1 and the outcome on sb.routing.routed.v1. Every service runs as its own
 * process (its main.ts), on the machine's NATS and PostgreSQL. In the same run, alternating with
 * each round: a bare JetStream publish → durable consume of the same count (the baseline); then
 * p50/p99 latency (action published → dispatch seen) at a fixed offered load. Also alternating:
 * the same messages relayed by two bare processes with no work between consume and publish
 * (relay.ts) — the ceiling the messaging layer allows on this machine. Not a test: nothing here
 * asserts a figure.
 *
 * Last, a long run at a steady offered load samples every service's resident memory, to show
 * whether it stays flat as sends and stored history accumulate.
 *
 *   node -r @swc-node/register services/router/bench/route.bench.ts [--count 20000] [--rounds 3] [--rate 2000] [--seconds 10]
 *        [--soak 240] [--soak-rate 1000] [--in-process]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { catalogItemSave, NatsNames, preferencesContactsBatchUpsert, type Dispatch } from '@switchboard/contracts';
import { deleteStreams, ensureStreams } from '@switchboard/messaging';
import type { RunningService } from '@switchboard/service-kit';
import {
  createTestEnv,
  peakRssMb,
  profileArgs,
  rssMb,
  spawnService,
  waitFor,
  type ChildService,
  type TestEnv,
} from '@switchboard/testing';
import { measureBaseline } from '../../../bench/lib/baseline';
import { CpuLedger } from '../../../bench/lib/cpu-ledger';
import { emitResult } from '../../../bench/lib/report';
import { median, percentile, round, summarize } from '../../../bench/lib/stats';
import { announceChannels, connectClient, freePort, startNamedService, type Client } from '../test/support/pipeline';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const QUICK = process.argv.includes('--quick');
const COUNT = arg('count', QUICK ? 5_000 : 20_000);
const ROUNDS = arg('rounds', QUICK ? 2 : 3);
/** Offered loads of the latency runs (DESIGN §9: 500/s and 2,000/s); `--rate R` runs one. */
const RATES = process.argv.includes('--rate') ? [arg('rate', 2_000)] : [500, 2_000];
const SECONDS = arg('seconds', QUICK ? 3 : 10);
/** The long run for memory: SOAK seconds at SOAK_RATE contacts/s offered, each service's RSS sampled every 5 s. */
const SOAK_SECONDS = arg('soak', QUICK ? 30 : 240);
const SOAK_RATE = arg('soak-rate', 1_000);
const IN_PROCESS = process.argv.includes('--in-process');
const PER_ACTION = 1_000;
export const SERVICES = ['catalog', 'preferences', 'campaign-actions', 'router'];
/** BENCH_SERVICE_NODE_OPTIONS (e.g. `--require ./profile-hook.js`) and ROUTER_CONCURRENCY reach the service processes. */
const SERVICE_ENV: Record<string, string> = {
  ROUTER_CHANNEL_WARMUP_MS: '1500',
  ...(process.env.ROUTER_CONCURRENCY ? { ROUTER_CONCURRENCY: process.env.ROUTER_CONCURRENCY } : {}),
  LOG_LEVEL: 'error',
  ...(process.env.BENCH_SERVICE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS } : {}),
};

export interface System {
  /** Peak RSS per service process, MiB (empty in-process). */
  memoryMb(): Record<string, number | undefined>;
  /** Current RSS per service process, MiB (empty in-process). */
  rssMb(): Record<string, number | undefined>;
  /** Process id per service (empty in-process). */
  pids: Record<string, number>;
  close(): Promise<void>;
}

/** Every service of the route as its own process (its main.ts), or all in this one with --in-process. */
export async function startAll(
  env: TestEnv,
  services = SERVICES,
  serviceEnv: Record<string, string> = {},
): Promise<System> {
  const vars = { ...SERVICE_ENV, ...serviceEnv };
  if (IN_PROCESS) {
    const running: RunningService[] = [];
    for (const name of services) running.push(await startNamedService(name, env, vars));
    return {
      memoryMb: () => ({}),
      rssMb: () => ({}),
      pids: {},
      close: async () => void (await Promise.all(running.reverse().map((s) => s.close()))),
    };
  }
  const children: ChildService[] = [];
  for (const name of services) children.push(await spawnService(env, name, vars, await freePort()));
  return {
    memoryMb: () => Object.fromEntries(services.map((name, i) => [name, peakRssMb(children[i].process.pid!)])),
    rssMb: () => Object.fromEntries(services.map((name, i) => [name, rssMb(children[i].process.pid!)])),
    pids: Object.fromEntries(services.map((name, i) => [name, children[i].process.pid!])),
    close: async () => void (await Promise.all(children.map((c) => c.kill('SIGTERM')))),
  };
}

/** Each item of a dispatch or outcome holds its id key once, at its top level (DESIGN §5). */
const ITEM_KEYS = { dispatch: Buffer.from('"dispatchId":'), outcome: Buffer.from('"sendId":') };

/** Items in a message, one or a batch of them (DESIGN §5 "Batching"), counted by their key without parsing the JSON. */
function itemsIn(data: Uint8Array, key: Buffer): number {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let items = 0;
  for (let at = bytes.indexOf(key); at >= 0; at = bytes.indexOf(key, at + key.length)) items++;
  return items;
}

/**
 * Counts dispatches and outcomes as they appear and, while `timing` is set (the latency runs),
 * when each contact's dispatch was first seen. Counting reads no JSON, so that the benchmark's own
 * CPU, on the same two cores as the pipeline, stays small beside what it measures.
 */
export class Tally {
  dispatches = 0;
  outcomes = 0;
  timing = false;
  readonly dispatchedAt = new Map<string, number>();
  private waiters: Array<() => void> = [];

  constructor(nc: NatsConnection, names: NatsNames) {
    nc.subscribe(names.subjects.dispatch('*'), {
      callback: (_e, m) => {
        if (this.timing) {
          const now = performance.now();
          const data = m.json<Dispatch | { dispatches: Dispatch[] }>();
          const items = 'dispatches' in data ? data.dispatches : [data];
          this.dispatches += items.length;
          for (const { contact } of items)
            if (!this.dispatchedAt.has(contact.id)) this.dispatchedAt.set(contact.id, now);
        } else {
          this.dispatches += itemsIn(m.data, ITEM_KEYS.dispatch);
        }
        this.poke();
      },
    });
    nc.subscribe(names.subjects.routing('*'), {
      callback: (_e, m) => {
        this.outcomes += itemsIn(m.data, ITEM_KEYS.outcome);
        this.poke();
      },
    });
  }

  private poke(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async until(dispatches: number, outcomes: number, timeoutMs = 300_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.dispatches < dispatches || this.outcomes < outcomes) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out at ${this.dispatches}/${dispatches} dispatches, ${this.outcomes}/${outcomes} outcomes`,
        );
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1_000);
      });
    }
  }
}

/** The two relay processes (relay.ts) on a prefix of their own, so the services never see their messages. */
async function startRelay(
  env: TestEnv,
  observer: NatsConnection,
): Promise<{ names: NatsNames; tally: Tally; pids: Record<string, number>; stop(): Promise<void> }> {
  const names = new NatsNames(`${env.prefix}relay`);
  const jsm = await jetstreamManager(observer);
  await ensureStreams(jsm, names);
  const children: ChildProcess[] = [];
  for (const stage of ['expand', 'route']) {
    const child = spawn(
      process.execPath,
      [...profileArgs(), '-r', '@swc-node/register', join(__dirname, 'relay.ts'), stage, env.natsUrl, names.prefix],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          ...process.env,
          ...(process.env.BENCH_SERVICE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS } : {}),
        },
      },
    );
    children.push(child);
    await once(child.stdout!, 'data');
  }
  return {
    names,
    tally: new Tally(observer, names),
    pids: { 'relay-expand': children[0].pid!, 'relay-route': children[1].pid! },
    stop: async () => {
      await Promise.all(children.map((c) => (c.kill('SIGTERM'), once(c, 'exit'))));
      await deleteStreams(jsm, names);
    },
  };
}

/** What the route's rounds publish: a routable email message and `contactCount` contacts `c0`.., ids only. */
export interface RouteFixture {
  messageId: number;
  action(contactIds: string[], names?: NatsNames): { subject: string; msgId: string; payload: Record<string, unknown> };
  /** Publishes `count` contacts in actions of 1,000 at once; contacts/s until every dispatch and outcome is out. */
  throughput(count: number, names?: NatsNames, counted?: Tally): Promise<number>;
}

export async function prepareRoute(
  env: TestEnv,
  client: Client,
  tally: Tally,
  contactCount: number,
): Promise<RouteFixture> {
  const save = async (kind: 'message' | 'email', input: Record<string, unknown>) =>
    (await client.rpc.call(catalogItemSave, { kind, mode: 'create', input, actor: { id: null, name: 'bench' } })).item
      .id as number;
  const email = await save('email', {
    name: 'Sale',
    subject: 'Sale for {{ contact.firstname }}',
    customHtml: '<p>20% off</p>',
  });
  const messageId = await save('message', { name: 'Sale', channels: { email: { channelId: email, isEnabled: true } } });

  for (let i = 0; i < contactCount; i += 1_000) {
    const contacts = Array.from({ length: Math.min(1_000, contactCount - i) }, (_, k) => ({
      id: `c${i + k}`,
      email: `c${i + k}@example.org`,
      firstname: `Reader ${i + k}`,
    }));
    await client.rpc.call(preferencesContactsBatchUpsert, { contacts }, { timeoutMs: 60_000 });
  }

  let actions = 0;
  const action = (contactIds: string[], names = env.names) => {
    const actionId = `bench-${++actions}`;
    return {
      subject: names.subjects.campaignAction(),
      msgId: actionId,
      payload: { actionId, type: 'send_marketing_message', messageId, contacts: contactIds.map((id) => ({ id })) },
    };
  };

  // Throughput: COUNT contacts in actions of 1,000, all at once; the clock stops when every dispatch and outcome is out.
  const throughput = async (count: number, names = env.names, counted = tally): Promise<number> => {
    const [d0, o0] = [counted.dispatches, counted.outcomes];
    const started = performance.now();
    const batch = [];
    for (let i = 0; i < count; i += PER_ACTION)
      batch.push(
        action(
          Array.from({ length: Math.min(PER_ACTION, count - i) }, (_, k) => `c${i + k}`),
          names,
        ),
      );
    await client.publisher.publishAll(batch);
    await counted.until(d0 + count, o0 + count);
    return (count / (performance.now() - started)) * 1000;
  };
  return { messageId, action, throughput };
}

async function main(): Promise<void> {
  const env = await createTestEnv();
  const client = await connectClient(env);
  const beats = announceChannels(client, env, ['email']);
  let system: System | undefined;
  const observer = await connect({ servers: env.natsUrl });
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

async function run(env: TestEnv, client: Client, observer: NatsConnection, system: System): Promise<void> {
  const tally = new Tally(observer, env.names);

  const latencyContacts = Math.max(...RATES) * SECONDS;
  const contactCount = Math.max(COUNT, latencyContacts);
  const { action, throughput } = await prepareRoute(env, client, tally, contactCount);
  await throughput(Math.min(2_000, COUNT)); // warm-up
  const relay = IN_PROCESS ? undefined : await startRelay(env, observer);
  const relayed = (count: number) => throughput(count, relay!.names, relay!.tally);
  if (relay) await relayed(Math.min(2_000, COUNT));
  // Baseline, pipeline and relay alternate, so that all see the same machine (other work on it comes and goes).
  const rates: number[] = [];
  const baselines: number[] = [];
  const baselineCpu: number[] = [];
  const ratios: number[] = [];
  const ceilings: number[] = [];
  // This process publishes the actions and parses every dispatch and outcome to count them: it
  // shares the two cores with the pipeline, so its CPU is reported, apart from the pipeline's.
  let observerMicros = 0;
  // Where a routed (or relayed) contact's CPU goes, over the pipeline's (the relays') rounds only.
  const cpu = IN_PROCESS ? undefined : await CpuLedger.open(env.databaseUrl, system.pids);
  const relayCpu = relay ? await CpuLedger.open(env.databaseUrl, relay.pids) : undefined;
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const bare = await measureBaseline(env.natsUrl, COUNT);
      baselines.push(bare.perSecond);
      baselineCpu.push(bare.cpuMicrosPerMessage);
      await cpu?.start();
      const observerBefore = process.cpuUsage();
      rates.push(await throughput(COUNT));
      const observerSpent = process.cpuUsage(observerBefore);
      observerMicros += observerSpent.user + observerSpent.system;
      await cpu?.stop();
      ratios.push(rates[r] / baselines[r]);
      if (!relay) continue;
      await relayCpu?.start();
      ceilings.push(await relayed(COUNT));
      await relayCpu?.stop();
    }
  } finally {
    await relay?.stop();
    await cpu?.close();
    await relayCpu?.close();
  }
  const cpuMicrosPerContact = cpu?.perUnit(COUNT * ROUNDS);
  const relayCpuMicrosPerContact = relayCpu?.perUnit(COUNT * ROUNDS);
  // Summed over every process (services, nats-server, PostgreSQL): the CPU-per-contact goal.
  const cpuMicrosPerContactTotal = cpu?.totalPerUnit(COUNT * ROUNDS);
  const relayCpuMicrosPerContactTotal = relayCpu?.totalPerUnit(COUNT * ROUNDS);
  const observerCpuMicrosPerContact = Math.round(observerMicros / (COUNT * ROUNDS));

  // Latency at a fixed offered load: every 10 ms an action of rate/100 contacts, each contact once.
  const latency = async (rate: number) => {
    tally.dispatchedAt.clear();
    tally.timing = true;
    const perTick = Math.max(1, Math.round(rate / 100));
    const publishedAt = new Map<string, number>();
    const ticks = SECONDS * 100;
    const [d0, o0] = [tally.dispatches, tally.outcomes];
    const t0 = performance.now();
    const inflight: Promise<unknown>[] = [];
    for (let t = 0; t < ticks; t++) {
      const due = t0 + t * 10;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const ids = Array.from({ length: perTick }, (_, k) => `c${t * perTick + k}`);
      const now = performance.now();
      for (const id of ids) publishedAt.set(id, now);
      inflight.push(client.publisher.publish(action(ids)));
    }
    await Promise.all(inflight);
    await tally.until(d0 + ticks * perTick, o0 + ticks * perTick);
    await waitFor(() => tally.dispatchedAt.size >= publishedAt.size, { timeoutMs: 30_000 });
    tally.timing = false;
    const latencies = [...publishedAt].map(([id, at]) => tally.dispatchedAt.get(id)! - at).sort((a, b) => a - b);
    return {
      rate: perTick * 100,
      seconds: SECONDS,
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      maxMs: round(latencies.at(-1)!),
    };
  };
  const latencies = [];
  for (const rate of RATES) latencies.push(await latency(rate));

  // Memory over a long run: a steady load (contacts cycle through the seeded set, every send new),
  // RSS sampled every 5 s; growth compares the medians of the first and last fifth of the samples.
  const soak = async () => {
    const perTick = Math.max(1, Math.round(SOAK_RATE / 10));
    const ticks = SOAK_SECONDS * 10;
    const samples: Record<string, number | undefined>[] = [];
    const [d0, o0] = [tally.dispatches, tally.outcomes];
    const t0 = performance.now();
    let nextSample = t0;
    for (let t = 0; t < ticks; t++) {
      const due = t0 + t * 100;
      if (due >= nextSample) {
        samples.push(system.rssMb());
        nextSample += 5_000;
      }
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await client.publisher.publish(
        action(Array.from({ length: perTick }, (_, k) => `c${(t * perTick + k) % contactCount}`)),
      );
    }
    await tally.until(d0 + ticks * perTick, o0 + ticks * perTick);
    samples.push(system.rssMb());
    const fifth = Math.max(1, Math.floor(samples.length / 5));
    const services = Object.fromEntries(
      SERVICES.map((name) => {
        const series = samples.map((s) => s[name]).filter((v): v is number => v !== undefined);
        const first = median(series.slice(0, fifth));
        const last = median(series.slice(-fifth));
        return [name, { firstMb: first, lastMb: last, growthMb: last - first, maxMb: Math.max(...series) }];
      }),
    );
    return {
      seconds: SOAK_SECONDS,
      offeredPerSecond: perTick * 10,
      sends: ticks * perTick,
      samples: samples.length,
      services,
    };
  };
  const memoryOverTime = SOAK_SECONDS > 0 && !IN_PROCESS ? await soak() : undefined;

  const routed = summarize(rates);
  const baseline = summarize(baselines);
  const report = {
    benchmark: 'campaign action → campaign-actions → router (+ catalog, preferences) → dispatch + routed outcome',
    mode: IN_PROCESS ? 'all services in one process' : 'each service its own process',
    count: COUNT,
    rounds: ROUNDS,
    contactsRoutedPerSecond: round(routed.median),
    min: round(routed.min),
    max: round(routed.max),
    baselinePerSecond: round(baseline.median),
    ratioToBaseline: round(summarize(ratios).median, 3),
    ratiosByRound: ratios.map((r) => round(r, 3)),
    baselineCpuMicrosPerMessage: round(summarize(baselineCpu).median),
    relayCeilingPerSecond: ceilings.length ? round(summarize(ceilings).median) : undefined,
    relayCeilingToBaseline: ceilings.length
      ? round(summarize(ceilings.map((c, r) => c / baselines[r])).median, 3)
      : undefined,
    cpuMicrosPerContact,
    cpuMicrosPerContactTotal,
    observerCpuMicrosPerContact,
    relayCpuMicrosPerContact,
    relayCpuMicrosPerContactTotal,
    latency: latencies,
    memoryOverTime,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  emitResult('route', {
    perSecond: report.contactsRoutedPerSecond,
    min: report.min,
    max: report.max,
    baselineInRun: report.baselinePerSecond,
    ratioToBaseline: report.ratioToBaseline,
    baselineCpuMicrosPerMessage: report.baselineCpuMicrosPerMessage,
    relayCeilingPerSecond: report.relayCeilingPerSecond,
    relayCeilingToBaseline: report.relayCeilingToBaseline,
    cpuMicrosPerContact,
    cpuMicrosPerContactTotal,
    observerCpuMicrosPerContact,
    relayCpuMicrosPerContact,
    relayCpuMicrosPerContactTotal,
    latency: latencies,
    memoryOverTime,
    memoryMb: system.memoryMb(),
  });
}

// Run as a benchmark, not when the shipment benchmark imports its parts.
if (require.main === module)
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
