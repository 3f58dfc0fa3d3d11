/**
 * Emails per second through sender-email and the loopback SMTP provider (DESIGN §9): N dispatches
 * published on sb.dispatch.email.v1 → rendered (Liquid, tracking links, pixel, List-Unsubscribe) →
 * SMTP (pooled) → `sent` event on sb.delivery.email.sent.v1, on the machine's NATS and PostgreSQL.
 * The sender runs as its own process (its main.ts, as deployed), and so does the SMTP server:
 *  - `fake`: dev-providers' SMTP server (it parses every message with mailparser) — the headline;
 *  - `sink`: a bare smtp-server that reads and drops the data — what the sender itself can do.
 * Figures are also given as a ratio against a bare JetStream publish → durable consume of the same
 * count in the same run.
 *
 *   node -r @swc-node/register services/sender-email/bench/email.bench.ts [count=5000] [rounds=3] [fake|sink|both=both]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  CatalogStub,
  senderTestEnv,
  cpuMs,
  createTestEnv,
  freePort,
  REPO_ROOT,
  spawnService,
  type TestEnv,
} from '@switchboard/testing';
import type { Dispatch } from '@switchboard/contracts';
import { EventPublisher } from '@switchboard/messaging';
import { measureBaseline } from '../../../bench/lib/baseline';
import { round, summarize } from '../../../bench/lib/stats';
import { emitResult } from '../../../bench/lib/report';
import { SERVICE } from '../src/sender-email.config';

const QUICK = process.argv.includes('--quick');
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const COUNT = Number(positional[0] ?? (QUICK ? 2_000 : 5_000));
const ROUNDS = Number(positional[1] ?? (QUICK ? 2 : 3));
const MODES = (positional[2] ?? 'both') === 'both' ? (['fake', 'sink'] as const) : [positional[2] as 'fake' | 'sink'];
const WARMUP = 500;

const SERVERS = {
  fake: `
    const { Outbox } = require('./services/dev-providers/src/outbox.ts');
    const { startSmtpFake } = require('./services/dev-providers/src/smtp/smtp-fake.ts');
    class CountingOutbox extends Outbox { accepted = 0; add(entry) { this.accepted++; return super.add(entry); } }
    const outbox = new CountingOutbox(1);
    startSmtpFake({ outbox }).then((fake) => serve(fake.port, () => outbox.accepted));`,
  sink: `
    const { SMTPServer } = require('smtp-server');
    let accepted = 0;
    const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, disableReverseLookup: true,
      onData(stream, _session, callback) { stream.on('data', () => undefined); stream.on('end', () => { accepted++; callback(null, 'OK'); }); } });
    server.listen(0, '127.0.0.1', () => serve(server.server.address().port, () => accepted));`,
};

/** An SMTP server in a child process; answers a line on stdin with the count of messages it accepted. */
async function startSmtpProcess(
  mode: keyof typeof SERVERS,
): Promise<{ port: number; stats(): Promise<{ count: number; cpuMs: number }>; stop(): void }> {
  // An exit of its own on SIGTERM, so that its --cpu-prof (SB_PROFILE_DIR, as for the sender) is written.
  const script = `
    process.on('SIGTERM', () => process.exit(0));
    function serve(port, count) {
      process.stdout.write(JSON.stringify({ port }) + '\\n');
      require('node:readline').createInterface({ input: process.stdin }).on('line', () => {
        const cpu = process.cpuUsage();
        process.stdout.write(JSON.stringify({ count: count(), cpuMs: (cpu.user + cpu.system) / 1000 }) + '\\n');
      });
    }
    ${SERVERS[mode]}`;
  const profile = process.env.SB_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SB_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '-r', '@swc-node/register', '-e', script], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill());
  const waiting: Array<(line: Record<string, number>) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) =>
    waiting.shift()?.(JSON.parse(line) as Record<string, number>),
  );
  const next = () => new Promise<Record<string, number>>((resolve) => waiting.push(resolve));
  const { port } = await next();
  return {
    port,
    stats: async () => {
      const answer = next();
      child.stdin!.write('stats\n');
      const { count, cpuMs } = await answer;
      return { count, cpuMs };
    },
    stop: () => child.kill(),
  };
}

async function measure(env: TestEnv, nc: NatsConnection, contentId: number, mode: keyof typeof SERVERS) {
  const smtp = await startSmtpProcess(mode);
  // spawnService sets HEALTH_PORT itself.
  const { HEALTH_PORT: _healthPort, ...senderEnv } = senderTestEnv(env, {
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_POOL_SIZE: process.env.BENCH_POOL ?? '16',
    SENDER_BATCH_SIZE: process.env.BENCH_BATCH ?? '64',
    LOG_LEVEL: 'warn',
  });
  const sender = await spawnService(env, SERVICE, senderEnv as Record<string, string>, await freePort());
  const senderPid = sender.process.pid!;
  process.once('exit', () => sender.process.kill());
  const publisher = new EventPublisher(nc);
  let sent = 0;
  let failed = 0;
  let onEvent = () => undefined as void;
  const sub = nc.subscribe(env.names.subjects.delivery('email', '*'), {
    callback: (_err, msg) => {
      if (msg.subject.endsWith('.sent.v1')) sent++;
      else failed++;
      onEvent();
    },
  });

  let seq = 0;
  const run = async (count: number): Promise<number> => {
    const target = sent + failed + count;
    const done = new Promise<void>((resolve) => {
      onEvent = () => {
        if (sent + failed >= target) resolve();
      };
    });
    const started = performance.now();
    const events = Array.from({ length: count }, () => {
      const id = `${mode}-${++seq}`;
      const dispatch: Dispatch = {
        dispatchId: `${id}:0`,
        sendId: id,
        messageId: 1,
        channel: 'email',
        contentId,
        contact: {
          id: `c${seq}`,
          address: `reader${seq}@example.org`,
          locale: null,
          timezone: null,
          fields: { firstname: `Reader ${seq}` },
        },
      };
      return { subject: env.names.subjects.dispatch('email'), payload: dispatch, msgId: dispatch.dispatchId };
    });
    await publisher.publishAll(events);
    await done;
    return (count / (performance.now() - started)) * 1000;
  };

  await run(WARMUP);
  const smtpBefore = await smtp.stats();
  const cpuBefore = cpuMs(senderPid);
  const rates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) rates.push(await run(COUNT));
  const senderCpuMs = cpuMs(senderPid) - cpuBefore;
  const smtpAfter = await smtp.stats();
  sub.unsubscribe();
  await sender.kill();
  smtp.stop();
  const measured = COUNT * ROUNDS;
  return {
    rates: summarize(rates),
    sent,
    failed,
    accepted: smtpAfter.count,
    /** CPU per email of the sender process and of the SMTP server. */
    senderCpuMs: senderCpuMs / measured,
    smtpCpuMs: (smtpAfter.cpuMs - smtpBefore.cpuMs) / measured,
  };
}

async function main(): Promise<void> {
  const env = await createTestEnv();
  const nc = await connect({ servers: env.natsUrl });
  const catalog = await CatalogStub.start(env, nc);
  const content = catalog.add('email', {
    subject: 'Spring sale for {{ contact.firstname }}',
    fromAddress: 'news@shop.example',
    fromName: 'Shop',
    customHtml:
      '<html><body><h1>Hi {{ contact.firstname | default: "there" }}</h1><p>Everything is 20% off this week.</p>' +
      '<p><a href="https://shop.example/sale">Shop the sale</a> or <a href="https://shop.example/new">see what is new</a>.</p></body></html>',
  });

  const report: Record<string, unknown> = {
    benchmark: 'sender-email: dispatch → SMTP (own process) → sent event',
    count: COUNT,
    rounds: ROUNDS,
  };
  let ok = true;
  const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  for (const mode of MODES) results[mode] = await measure(env, nc, content.id, mode);
  const baseline = await measureBaseline(env.natsUrl, COUNT);
  report.baselinePerSecond = round(baseline.perSecond);
  for (const [mode, r] of Object.entries(results)) {
    report[mode] = {
      emailsPerSecond: round(r.rates.median),
      min: round(r.rates.min),
      max: round(r.rates.max),
      ratioToBaseline: round(r.rates.median / baseline.perSecond, 3),
      sent: r.sent,
      failed: r.failed,
      acceptedBySmtp: r.accepted,
      senderCpuMsPerEmail: round(r.senderCpuMs, 3),
      smtpServerCpuMsPerEmail: round(r.smtpCpuMs, 3),
    };
    ok &&= r.failed === 0 && r.accepted === r.sent;
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const viaFake = results.fake ?? results.sink;
  emitResult('email', {
    perSecond: round(viaFake.rates.median),
    min: round(viaFake.rates.min),
    max: round(viaFake.rates.max),
    throughDevProvidersFake: results.fake ? round(results.fake.rates.median) : undefined,
    throughBareSmtpSink: results.sink ? round(results.sink.rates.median) : undefined,
  });

  await catalog.close();
  await nc.drain();
  await env.cleanup();
  if (!ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
