/**
 * Emails per second through sender-email and the loopback SMTP provider (DESIGN §9): N dispatches
 * published on sb.dispatch.email.v1 → rendered (Liquid, tracking links, pixel) → SMTP (pooled) →
 * `sent` event on sb.delivery.email.sent.v1, on the machine's NATS and PostgreSQL. The SMTP server
 * runs in its own process, as a real one would. The figure is also given as a ratio against a bare
 * JetStream publish → durable consume of the same count in the same run.
 *
 *   node -r @swc-node/register services/sender-email/bench/email.bench.ts [count=5000] [rounds=3]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CatalogStub, senderTestEnv } from '@switchboard/channel-sdk/testing';
import type { Dispatch } from '@switchboard/contracts';
import { EventPublisher } from '@switchboard/messaging';
import { createTestEnv, REPO_ROOT, startTestService } from '@switchboard/testing';
import { measureBaseline } from '../../../bench/lib/baseline';
import { round, summarize } from '../../../bench/lib/stats';
import { loadEmailConfig, SERVICE } from '../src/sender-email.config';
import { createSenderEmailModule } from '../src/sender-email.module';

const COUNT = Number(process.argv[2] ?? 5_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const WARMUP = 500;

/** The loopback SMTP server in a child process; answers `count` on stdin with the messages it accepted. */
async function startSmtpProcess(): Promise<{ port: number; count(): Promise<number>; stop(): void; child: ChildProcess }> {
  const script = `
    const { Outbox } = require('./services/dev-providers/src/outbox.ts');
    const { startSmtpFake } = require('./services/dev-providers/src/smtp/smtp-fake.ts');
    class CountingOutbox extends Outbox { accepted = 0; add(entry) { this.accepted++; return super.add(entry); } }
    const outbox = new CountingOutbox(1);
    startSmtpFake({ outbox }).then((fake) => {
      process.stdout.write(JSON.stringify({ port: fake.port }) + '\\n');
      require('node:readline').createInterface({ input: process.stdin }).on('line', () => process.stdout.write(JSON.stringify({ count: outbox.accepted }) + '\\n'));
    });`;
  const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(line: Record<string, number>) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line) as Record<string, number>));
  const next = () => new Promise<Record<string, number>>((resolve) => waiting.push(resolve));
  const { port } = await next();
  return {
    port,
    child,
    count: async () => {
      const answer = next();
      child.stdin!.write('count\n');
      return (await answer).count;
    },
    stop: () => child.kill(),
  };
}

async function main(): Promise<void> {
  const env = await createTestEnv();
  const smtp = await startSmtpProcess();
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
  const config = loadEmailConfig(senderTestEnv(env, { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_POOL_SIZE: '8', SENDER_BATCH_SIZE: '64' }));
  const svc = await startTestService({ service: SERVICE, module: createSenderEmailModule(config) });

  const publisher = new EventPublisher(jetstream(nc));
  let sent = 0;
  let failed = 0;
  let onEvent = () => undefined as void;
  nc.subscribe(env.names.subjects.delivery('email', '*'), {
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
      const id = `bench-${++seq}`;
      const dispatch: Dispatch = {
        dispatchId: `${id}:0`,
        sendId: id,
        messageId: 1,
        channel: 'email',
        contentId: content.id,
        contact: { id: `c${seq}`, address: `reader${seq}@example.org`, locale: null, timezone: null, fields: { firstname: `Reader ${seq}` } },
      };
      return { subject: env.names.subjects.dispatch('email'), payload: dispatch, msgId: dispatch.dispatchId };
    });
    await publisher.publishAll(events);
    await done;
    return (count / (performance.now() - started)) * 1000;
  };

  await run(WARMUP);
  const rates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) rates.push(await run(COUNT));
  const accepted = await smtp.count();
  const baseline = await measureBaseline(env.natsUrl, COUNT);

  const emails = summarize(rates);
  const report = {
    benchmark: 'sender-email: dispatch → SMTP (loopback, own process) → sent event',
    count: COUNT,
    rounds: ROUNDS,
    emailsPerSecond: round(emails.median),
    min: round(emails.min),
    max: round(emails.max),
    baselinePerSecond: round(baseline.perSecond),
    ratioToBaseline: round(emails.median / baseline.perSecond, 3),
    sent,
    failed,
    acceptedBySmtp: accepted,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);

  await svc.close();
  await catalog.close();
  await nc.drain();
  smtp.stop();
  await env.cleanup();
  if (failed > 0 || accepted !== sent) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
