/**
 * Latency of one deliveries page (50 rows) over 1M stored sends, for every filter of DESIGN §7.5,
 * through the real RPC (sb.rpc.tracker.deliveries.list) to the tracker running as its own process
 * (its main.ts), on the machine's NATS and PostgreSQL. Not a test: nothing here asserts a figure.
 *
 *   node -r @swc-node/register services/tracker/bench/deliveries.bench.ts [--rows 1000000] [--iterations 200] [--quick] [--plans]
 *     [--keep | --reuse <database url printed by --keep>] [--only <part of a case name>]
 *
 * Seeds with generate_series INSERTs: 200 messages, 50 campaigns, 200k contacts (5 sends each,
 * labelled for search: `cN@example.com`, `FirstN LastNNN`), channels and statuses skewed as in real traffic (tweets 2%, bounces 2%,
 * complaints 0.1%), created over 30 days. Each iteration draws new filter values, so pages come
 * from all over the table; deep pages are reached by keyset cursors. Besides the round trip, each
 * case reports PostgreSQL's own execution time of the same statement (EXPLAIN ANALYZE), which
 * separates the query from transport and JSON on a busy machine; `--plans` prints one plan per case.
 * Last, the ingest rate: delivery events published at once (new sends: sent, delivered, opened)
 * until the tracker has recorded them all over the 1M rows (events, counters, firsts, deliveries).
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import {
  DeliveriesQuerySchema,
  trackerDeliveriesList,
  type DeliveriesQuery,
  type NatsNames,
} from '@switchboard/contracts';
import { EventPublisher, RpcClient, type OutgoingEvent } from '@switchboard/messaging';
import { createTestEnv, freePort, peakRssMb, spawnService, waitUntilConsumersIdle } from '@switchboard/testing';
import { emitResult, flag, numberArg } from '../../../bench/lib/report';
import { percentile, round } from '../../../bench/lib/stats';
import { matchSearch } from '../src/deliveries/contact-search';
import { pageQuery } from '../src/deliveries/deliveries.repository';

const QUICK = flag('quick');
const ROWS = numberArg('rows', QUICK ? 100_000 : 1_000_000);
const ITERATIONS = numberArg('iterations', QUICK ? 50 : 200);
const PLANS = flag('plans');
/** Delivery events published for the ingest figure (sent, delivered, opened per send). */
const INGEST_EVENTS = numberArg('ingest', QUICK ? 9_000 : 60_000);
/** Leave the seeded database behind (its URL is printed) to look at plans by hand. */
const KEEP = flag('keep');
/** Page over a database kept by an earlier run of the same --rows instead of seeding (no ingest step: it would change it). */
const REUSE = process.argv.includes('--reuse') ? process.argv[process.argv.indexOf('--reuse') + 1] : undefined;
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const CONTACTS = Math.max(1, Math.floor(ROWS / 5));
const SPAN_SECONDS = 30 * 86_400;
const T0 = Date.parse('2026-10-01T00:00:00Z');

const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)];
const int = (n: number) => Math.floor(Math.random() * n);
const day = (d: number) => new Date(T0 + d * 86_400_000).toISOString();

async function seed(databaseUrl: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const started = performance.now();
  // Status by a scrambled bucket of 1000: delivered 40%, opened 20%, sent 15%, clicked 8%,
  // suppressed 3%, deferred 2.5%, bounced 2%, failed 2%, routed 2.4%, unsubscribed 1%, complained 0.1%.
  await db.query(
    `INSERT INTO tracker.deliveries (send_id, message_id, contact_id, campaign_id, shipment_id, channel, dispatch_id, status,
                                     attempts, created_at, updated_at, sent_at)
     SELECT 's' || g, 1 + g % 200, 'c' || (g % $2::int), 'camp' || (g % 50), 'sh' || (g % 50),
            CASE WHEN g % 100 < 60 THEN 'email' WHEN g % 100 < 85 THEN 'sms' WHEN g % 100 < 93 THEN 'notification'
                 WHEN g % 100 < 98 THEN 'mobile_notification' ELSE 'tweet' END,
            'd' || g,
            CASE WHEN b < 400 THEN 'delivered' WHEN b < 600 THEN 'opened' WHEN b < 750 THEN 'sent' WHEN b < 830 THEN 'clicked'
                 WHEN b < 860 THEN 'suppressed' WHEN b < 885 THEN 'deferred' WHEN b < 905 THEN 'bounced' WHEN b < 925 THEN 'failed'
                 WHEN b < 989 THEN 'routed' WHEN b < 999 THEN 'unsubscribed' ELSE 'complained' END,
            1, ts, ts, ts
       FROM (SELECT g, (g::bigint * 7919) % 1000 AS b,
                    to_timestamp(${T0 / 1000} + g::double precision * ${SPAN_SECONDS} / $1::int) AS ts
               FROM generate_series(1, $1::int) g) x`,
    [ROWS, CONTACTS],
  );
  await db.query(
    `INSERT INTO tracker.contacts (contact_id, email, name)
     SELECT 'c' || g, 'c' || g || '@example.com', 'First' || g || ' Last' || lpad((g % 1000)::text, 3, '0')
       FROM generate_series(0, $1::int - 1) g`,
    [CONTACTS],
  );
  // The words the tracker keeps for each label, with the contact's newest send (see
  // ContactsRepository.upsertLabels and IngestRepository.raiseNewestSends).
  await db.query(
    `INSERT INTO tracker.contact_words (word, contact_id, newest_send_at)
     SELECT DISTINCT w, c.contact_id, n.at FROM tracker.contacts c
            LEFT JOIN (SELECT contact_id, max(created_at) AS at FROM tracker.deliveries GROUP BY contact_id) n USING (contact_id),
            unnest(ARRAY[lower(c.email), lower(c.name)] || regexp_split_to_array(lower(c.name), '\\s+')) w`,
  );
  // What autovacuum does soon after a bulk insert (visibility map for index-only scans, statistics),
  // and the checkpoint a long-lived log has long had (else the bulk load is written out while pages are timed).
  for (const table of ['deliveries', 'contacts', 'contact_words']) await db.query(`VACUUM ANALYZE tracker.${table}`);
  await db.query('CHECKPOINT');
  await db.end();
  return performance.now() - started;
}

/** Each case draws fresh filter values per iteration. */
const CASES: Record<string, () => Partial<DeliveriesQuery>> = {
  'no filter': () => ({}),
  messageId: () => ({ messageId: 1 + int(200) }),
  campaignId: () => ({ campaignId: `camp${int(50)}` }),
  contactId: () => ({ contactId: `c${int(CONTACTS)}` }),
  'channel (tweet, 2%)': () => ({ channel: 'tweet' }),
  'status (bounced, 2%)': () => ({ status: 'bounced' }),
  'status (complained, 0.1%)': () => ({ status: 'complained' }),
  'messageId + status': () => ({ messageId: 1 + int(200), status: pick(['bounced', 'clicked', 'failed'] as const) }),
  'campaignId + status (complained)': () => ({ campaignId: `camp${int(50)}`, status: 'complained' }),
  'channel + status': () => ({ channel: pick(['sms', 'email'] as const), status: 'failed' }),
  'messageId + channel': () => ({ messageId: 1 + int(200), channel: pick(['email', 'sms', 'tweet'] as const) }),
  'from/to (one day)': () => {
    const d = int(29);
    return { from: day(d), to: day(d + 1) };
  },
  'messageId + from/to (3 days)': () => {
    const d = int(27);
    return { messageId: 1 + int(200), from: day(d), to: day(d + 3) };
  },
  'search (one contact email)': () => ({ search: `c${int(CONTACTS)}@example.com` }),
  'search (surname, 200 contacts)': () => ({ search: `Last${String(int(1000)).padStart(3, '0')}` }),
  'search (prefix, 1,111 contacts)': () => ({ search: `first${100 + int(100)}` }),
  // Contact numbers follow send order in this seed, so these contacts' sends sit in a few old blocks.
  'search (prefix, 11,111 contacts, clustered)': () => ({ search: `first${10 + int(9)}` }),
  'search (prefix, 111,111 contacts)': () => ({ search: 'first1' }),
};

/** Publishes INGEST_EVENTS delivery events for new sends and times them until the tracker is idle again. */
async function measureIngest(nc: NatsConnection, names: NatsNames) {
  const publisher = new EventPublisher(nc, 1_024);
  const kinds = ['sent', 'delivered', 'opened'] as const;
  const at = new Date().toISOString();
  const events: OutgoingEvent[] = Array.from({ length: INGEST_EVENTS }, (_, i) => {
    const n = Math.floor(i / kinds.length);
    const event = kinds[i % kinds.length];
    return {
      subject: names.subjects.delivery('email', event),
      msgId: `bench-${n}-${event}`,
      payload: {
        dispatchId: `bd${n}`,
        sendId: `bs${n}`,
        messageId: 1 + (n % 200),
        contactId: `c${n % CONTACTS}`,
        channel: 'email',
        event,
        occurredAt: at,
        campaignId: `camp${n % 50}`,
      },
    };
  });
  const started = performance.now();
  await publisher.publishAll(events);
  await waitUntilConsumersIdle(nc, names, 600_000);
  const ms = performance.now() - started;
  return { ms, perSecond: (INGEST_EVENTS / ms) * 1000 };
}

async function main(): Promise<void> {
  const fresh = await createTestEnv();
  const env = REUSE ? { ...fresh, databaseUrl: REUSE } : fresh;
  const tracker = await spawnService(env, 'tracker', { LOG_LEVEL: 'error' }, await freePort());
  const nc = await connect({ servers: env.natsUrl });
  const rpc = new RpcClient(nc, env.names, 30_000);
  try {
    const seedMs = REUSE ? 0 : await seed(env.databaseUrl);
    if (!REUSE) {
      console.log(
        `seeded ${ROWS.toLocaleString('en-US')} deliveries and ${CONTACTS.toLocaleString('en-US')} contact labels in ${round(seedMs / 1000)} s`,
      );
    }

    const timed = async (query: Partial<DeliveriesQuery>) => {
      const started = performance.now();
      const page = await rpc.call(trackerDeliveriesList, { limit: 50, ...query });
      return { ms: performance.now() - started, page };
    };
    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    /** PostgreSQL's execution time of the page's statement, and its plan. */
    const analyze = async (sql: string, params: unknown[]) => {
      const { rows } = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
      return (rows[0]['QUERY PLAN'] as [{ 'Execution Time': number; Plan: unknown }])[0];
    };
    /** The statements of one page as the tracker runs them (a search first picks its plan from its words). */
    const explain = async (query: Partial<DeliveriesQuery>) => {
      const q = DeliveriesQuerySchema.parse({ limit: 50, ...query });
      let wordsMs = 0;
      let match;
      if (q.search !== undefined) {
        match = await matchSearch(q.search, async (sql, params) => {
          // An estimate costs its planning; a count its execution.
          if (sql.startsWith('EXPLAIN')) {
            const { rows } = await db.query(sql.replace('EXPLAIN (', 'EXPLAIN (SUMMARY, '), params);
            wordsMs += (rows[0]['QUERY PLAN'] as [{ 'Planning Time': number }])[0]['Planning Time'];
            return rows;
          }
          wordsMs += (await analyze(sql, params))['Execution Time'];
          return (await db.query(sql, params)).rows;
        });
      }
      const { sql, params } = pageQuery(q, match);
      const plan = await analyze(sql, params);
      return { 'Execution Time': plan['Execution Time'] + wordsMs, Plan: plan.Plan };
    };
    const results: Record<
      string,
      { p50Ms: number; p99Ms: number; maxMs: number; sqlP50Ms: number; sqlP99Ms: number; rows: number }
    > = {};
    const all: number[] = [];
    const allSql: number[] = [];
    const report = (name: string, samples: number[], sqlSamples: number[], rows: number) => {
      const sorted = [...samples].sort((a, b) => a - b);
      const sql = [...sqlSamples].sort((a, b) => a - b);
      results[name] = {
        p50Ms: round(percentile(sorted, 50), 2),
        p99Ms: round(percentile(sorted, 99), 2),
        maxMs: round(sorted[sorted.length - 1], 2),
        sqlP50Ms: round(percentile(sql, 50), 2),
        sqlP99Ms: round(percentile(sql, 99), 2),
        rows,
      };
      all.push(...samples);
      allSql.push(...sqlSamples);
      const r = results[name];
      const f = (n: number) => String(n).padStart(6);
      console.log(
        `  ${name.padEnd(44)} rpc p50 ${f(r.p50Ms)}  p99 ${f(r.p99Ms)}  max ${f(r.maxMs)} | sql p50 ${f(r.sqlP50Ms)}  p99 ${f(r.sqlP99Ms)} ms  (${rows} rows)`,
      );
    };
    for (let i = 0; i < 20; i++) await timed(CASES[pick(Object.keys(CASES))]());

    console.log(
      `page of 50, ${ITERATIONS} pages per case, over ${ROWS.toLocaleString('en-US')} rows (through NATS RPC to the tracker):`,
    );
    for (const [name, make] of Object.entries(CASES)) {
      if (ONLY && !name.includes(ONLY)) continue;
      const samples: number[] = [];
      const sqlSamples: number[] = [];
      let rows = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        const query = make();
        const { ms, page } = await timed(query);
        samples.push(ms);
        rows += page.deliveries.length;
        const plan = await explain(query);
        sqlSamples.push(plan['Execution Time']);
        if (PLANS && i === 0) console.log(JSON.stringify(plan.Plan));
      }
      report(name, samples, sqlSamples, Math.round(rows / ITERATIONS));
    }
    // Deep pages: follow the cursor 40 pages into a filter, timing every page.
    const deep: number[] = [];
    const deepSql: number[] = [];
    for (let i = 0; i < Math.max(1, Math.floor(ITERATIONS / 40)); i++) {
      let after: string | undefined;
      const filter = pick([
        {},
        { messageId: 1 + int(200) },
        { channel: 'sms' as const },
        { status: 'bounced' as const },
      ]);
      for (let p = 0; p < 40; p++) {
        const { ms, page } = await timed({ ...filter, after });
        deep.push(ms);
        deepSql.push((await explain({ ...filter, after }))['Execution Time']);
        if (!page.next) break;
        after = page.next;
      }
    }
    report('keyset pages 1-40 (after=cursor)', deep, deepSql, 50);
    await db.end();

    const ingest = REUSE ? undefined : await measureIngest(nc, env.names);
    if (ingest) {
      console.log(
        `ingest: ${INGEST_EVENTS.toLocaleString('en-US')} delivery events recorded in ${round(ingest.ms / 1000, 2)} s = ${Math.round(ingest.perSecond).toLocaleString('en-US')} events/s`,
      );
    }

    const sorted = [...all].sort((a, b) => a - b);
    const sortedSql = [...allSql].sort((a, b) => a - b);
    const overall = {
      p50Ms: round(percentile(sorted, 50), 2),
      p99Ms: round(percentile(sorted, 99), 2),
      maxMs: round(sorted[sorted.length - 1], 2),
      sqlP50Ms: round(percentile(sortedSql, 50), 2),
      sqlP99Ms: round(percentile(sortedSql, 99), 2),
    };
    const worst = Object.entries(results).sort(([, a], [, b]) => b.p99Ms - a.p99Ms)[0];
    console.log(
      `all pages: rpc p50 ${overall.p50Ms} ms, p99 ${overall.p99Ms} ms; sql p50 ${overall.sqlP50Ms} ms, p99 ${overall.sqlP99Ms} ms; ` +
        `worst case rpc p99: ${worst[0]} ${worst[1].p99Ms} ms (goal: < 20 ms)`,
    );
    emitResult('deliveries', {
      rows: ROWS,
      ...overall,
      worstCase: worst[0],
      worstP99Ms: worst[1].p99Ms,
      cases: results,
      seedSeconds: round(seedMs / 1000),
      ingestPerSecond: ingest && Math.round(ingest.perSecond),
      memoryMb: { tracker: peakRssMb(tracker.process.pid!) },
    });
  } finally {
    await nc.close();
    await tracker.kill();
    if (KEEP) console.log(`kept ${fresh.databaseUrl}`);
    else await fresh.cleanup();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
