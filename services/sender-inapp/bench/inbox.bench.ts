/**
 * The in-app inbox (DESIGN §7.7), on the machine's NATS and PostgreSQL, sender-inapp and the
 * gateway each running as its own process (their main.ts). Not a test: nothing here asserts a figure.
 *
 *   node -r @swc-node/register services/sender-inapp/bench/inbox.bench.ts [--quick] [--writes 20000]
 *     [--rows 1000000] [--seconds 10] [--concurrency 8]
 *
 * 1. Inbox writes per second: dispatches published as the router does (batch messages of 500)
 *    until sender-inapp has stored every one and published its `sent`; with the CPU each process
 *    spent per write (sender-inapp, nats-server, its PostgreSQL backends).
 * 2. `GET /inbox/messages` (first page of 20) and `GET /inbox/unread-count` over 1,000,000 stored
 *    messages (10,000 contacts × 100, 10 % unread, seeded with generate_series), each request for a
 *    random contact with its own token: requests per second and p50/p99 at a closed-loop load.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { SignJWT } from 'jose';
import { Client } from 'pg';
import type { Dispatch } from '@switchboard/contracts';
import { EventPublisher } from '@switchboard/messaging';
import {
  createTestEnv,
  freePort,
  peakRssMb,
  SenderHarness,
  spawnService,
  SubjectRecorder,
  waitFor,
  type ChildService,
} from '@switchboard/testing';
import { CpuLedger } from '../../../bench/lib/cpu-ledger';
import { emitResult, flag, numberArg } from '../../../bench/lib/report';
import { percentile, round } from '../../../bench/lib/stats';

const QUICK = flag('quick');
const WRITES = numberArg('writes', QUICK ? 5_000 : 20_000);
const ROWS = numberArg('rows', QUICK ? 200_000 : 1_000_000);
const SECONDS = numberArg('seconds', QUICK ? 3 : 10);
const CONCURRENCY = numberArg('concurrency', 8);
const PER_CONTACT = 100;
const CONTACTS = Math.max(1, Math.floor(ROWS / PER_CONTACT));
const BATCH = 500;
const INBOX_SECRET = 'bench-inbox-secret-0123456789abcdef0123456789';
const TRACKING_SECRET = 'bench-tracking-secret-0123456789';

async function seed(databaseUrl: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const started = performance.now();
  await db.query(
    `INSERT INTO sender_inapp.inbox_messages (dispatch_id, send_id, message_id, contact_id, title, body, url,
                                              created_at, read_at, expires_at)
     SELECT 'seed-d' || g, 'seed-s' || g, 1 + g % 200, 'c' || (g % $2::int), 'Message ' || g,
            '<p>Hello, this is message ' || g || ' of the <b>bench</b>.</p>', 'https://shop.example/t/c/x' || g,
            ts, CASE WHEN (g / $2::int) % 10 = 0 THEN NULL ELSE ts + interval '1 hour' END, ts + interval '365 days'
       FROM (SELECT g, now() - make_interval(secs => ($1::int - g) * 7.776) AS ts FROM generate_series(1, $1::int) g) x`,
    [ROWS, CONTACTS],
  );
  await db.query('VACUUM ANALYZE sender_inapp.inbox_messages');
  await db.query('CHECKPOINT');
  await db.end();
  return performance.now() - started;
}

/** PostgreSQL's own execution time of a first page and its total (as InboxRepository.list runs them), for random contacts. */
async function listSqlMs(databaseUrl: string): Promise<{ p50Ms: number; p99Ms: number }> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const visible = 'archived_at IS NULL AND expires_at > now()';
  const statements = [
    `SELECT id, title, body, url, icon, read_at, created_at FROM sender_inapp.inbox_messages
      WHERE contact_id = $1 AND ${visible} ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0`,
    `SELECT count(*)::int FROM sender_inapp.inbox_messages WHERE contact_id = $1 AND ${visible}`,
  ];
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const contact = `c${Math.floor(Math.random() * CONTACTS)}`;
    let ms = 0;
    for (const sql of statements) {
      const { rows } = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, [contact]);
      ms += (rows[0]['QUERY PLAN'] as [{ 'Execution Time': number }])[0]['Execution Time'];
    }
    samples.push(ms);
  }
  await db.end();
  samples.sort((a, b) => a - b);
  return { p50Ms: round(percentile(samples, 50), 3), p99Ms: round(percentile(samples, 99), 3) };
}

/** Closed-loop GETs, each for a random contact's token, for `seconds`. */
async function load(base: string, path: string, tokens: string[], seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(base);
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const once = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const token = tokens[Math.floor(Math.random() * tokens.length)];
      request(
        { agent, host: target.hostname, port: target.port, path, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            latencies.push(performance.now() - started);
            resolve();
          });
        },
      )
        .on('error', () => {
          errors++;
          resolve();
        })
        .end();
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) await once();
    }),
  );
  const ms = performance.now() - started;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    perSecond: round((latencies.length / ms) * 1000, 0),
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    maxMs: round(latencies[latencies.length - 1] ?? 0, 1),
    errors,
  };
}

async function main(): Promise<void> {
  const env = await createTestEnv();
  const children: Record<string, ChildService> = {};
  const h = await SenderHarness.start(env);
  try {
    const shared = { LOG_LEVEL: 'error', SB_TRACKING_SECRET: TRACKING_SECRET, SB_INBOX_SECRET: INBOX_SECRET };
    children['sender-inapp'] = await spawnService(
      env,
      'sender-inapp',
      { ...shared, SENDER_BATCH_SIZE: '256', SENDER_CONCURRENCY: '4' },
      await freePort(),
    );
    const contentId = h.catalog.add('inapp', {
      title: 'Hello {{ contact.firstname | default: "there" }}',
      body: '<p>Our <b>sale</b> <a href="https://shop.example/sale">starts today</a></p>',
      url: 'https://shop.example/?c={{ contact.id }}',
    }).id;

    // 1. Writes.
    const sent = new SubjectRecorder(h.nc, [env.names.subjects.delivery('inapp', 'sent')]);
    const publisher = new EventPublisher(h.nc, 64);
    const warmup = Array.from({ length: 200 }, (_, i) =>
      h.dispatch('inapp', contentId, { id: `w${i}`, address: `w${i}` }),
    );
    await publisher.publish({
      subject: env.names.subjects.dispatch('inapp'),
      msgId: randomUUID(),
      payload: { dispatches: warmup },
    });
    await waitFor(() => sent.messages.length >= warmup.length, { timeoutMs: 120_000 });
    const ledger = await CpuLedger.open(env.databaseUrl, { 'sender-inapp': children['sender-inapp'].process.pid! });
    const dispatches: Dispatch[] = Array.from({ length: WRITES }, (_, i) =>
      h.dispatch('inapp', contentId, {
        id: `c${i % CONTACTS}`,
        address: `c${i % CONTACTS}`,
        fields: { firstname: 'Ada' },
      }),
    );
    const before = sent.messages.length;
    await ledger.start();
    const started = performance.now();
    const batches = [];
    for (let i = 0; i < dispatches.length; i += BATCH) batches.push(dispatches.slice(i, i + BATCH));
    await publisher.publishAll(
      batches.map((items) => ({
        subject: env.names.subjects.dispatch('inapp'),
        msgId: randomUUID(),
        payload: { dispatches: items },
      })),
    );
    await waitFor(() => sent.messages.length - before >= WRITES, { timeoutMs: 600_000, intervalMs: 20 });
    const writeMs = performance.now() - started;
    await ledger.stop();
    sent.stop();
    const writesPerSecond = round((WRITES / writeMs) * 1000, 0);
    const cpu = ledger.perUnit(WRITES);
    const cpuTotal = ledger.totalPerUnit(WRITES);
    await ledger.close();
    console.log(
      `writes: ${WRITES.toLocaleString('en-US')} dispatches stored in ${round(writeMs / 1000, 2)} s = ${writesPerSecond.toLocaleString('en-US')} writes/s; ` +
        `CPU per write (µs): ${Object.entries(cpu)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')} (${cpuTotal} in all)`,
    );

    // 2. Reads over ROWS stored messages.
    const seedMs = await seed(env.databaseUrl);
    console.log(
      `seeded ${ROWS.toLocaleString('en-US')} inbox messages (${CONTACTS.toLocaleString('en-US')} contacts) in ${round(seedMs / 1000)} s`,
    );
    const port = await freePort();
    children.gateway = await spawnService(env, 'gateway', { ...shared, PORT: String(port) }, await freePort());
    const key = new TextEncoder().encode(INBOX_SECRET);
    const tokens = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(`c${Math.floor((i * CONTACTS) / 500)}`)
          .setExpirationTime('1h')
          .sign(key),
      ),
    );
    const base = `http://127.0.0.1:${port}`;
    await load(base, '/inbox/messages', tokens, 1); // warm-up
    const readLedger = await CpuLedger.open(env.databaseUrl, {
      'sender-inapp': children['sender-inapp'].process.pid!,
      gateway: children.gateway.process.pid!,
    });
    await readLedger.start();
    const list = await load(base, '/inbox/messages?limit=20', tokens, SECONDS);
    await readLedger.stop();
    const listCpu = readLedger.perUnit(list.requests);
    const listCpuTotal = readLedger.totalPerUnit(list.requests);
    await readLedger.close();
    const sql = await listSqlMs(env.databaseUrl);
    const unreadFirst = await load(base, '/inbox/messages?limit=20&sort=unread', tokens, SECONDS);
    const count = await load(base, '/inbox/unread-count', tokens, SECONDS);
    console.log(
      `list: CPU per request (µs): ${Object.entries(listCpu)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${v}`)
        .join(
          ', ',
        )} (${listCpuTotal} in all); PostgreSQL execution of its two statements p50 ${sql.p50Ms} ms, p99 ${sql.p99Ms} ms`,
    );
    for (const [name, r] of Object.entries({ list, unreadFirst, count }))
      console.log(
        `${name}: ${r.perSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms, errors ${r.errors} (${CONCURRENCY} connections)`,
      );
    emitResult('inbox', {
      writes: WRITES,
      writesPerSecond,
      cpuMicrosPerWrite: cpu,
      cpuMicrosPerWriteTotal: cpuTotal,
      rows: ROWS,
      seedSeconds: round(seedMs / 1000),
      list: { ...list, cpuMicrosPerRequest: listCpu, cpuMicrosPerRequestTotal: listCpuTotal, sql },
      unreadFirst,
      unreadCount: count,
      memoryMb: Object.fromEntries(
        Object.entries(children).map(([n, c]) => [
          n === 'gateway' ? 'gateway (inbox bench)' : n,
          peakRssMb(c.process.pid!),
        ]),
      ),
    });
  } finally {
    await Promise.all(Object.values(children).map((c) => c.kill('SIGTERM')));
    await h.close();
    await env.cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
