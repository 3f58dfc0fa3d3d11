/**
 * Audiences at a million contacts, through the real processes (gateway and preferences, each its
 * own main.ts) on the machine's NATS and PostgreSQL:
 *  1. a CSV of N rows (email, names, two custom fields) generated on the fly and streamed to
 *     `POST /api/segments/{id}/import`; rows/s from the first byte sent to `completed`, and the
 *     RSS of both processes sampled as the import goes (flat = constant memory);
 *  2. `POST /api/segments/count` over dynamic filters matching all N contacts, and a segment
 *     that includes one and excludes another (`audience.count`), cold and warm.
 *
 *   node -r @swc-node/register services/preferences/bench/audience.bench.ts [--rows 1000000] [--quick]
 *
 * Not a test: nothing here asserts a figure.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { NatsNames, preferencesAudienceCount } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import {
  cpuMs,
  createTestEnv,
  freePort,
  peakRssMb,
  rssMb,
  spawnService,
  type ChildService,
} from '@switchboard/testing';
import { emitResult, flag, numberArg } from '../../../bench/lib/report';

const QUICK = flag('quick');
const ROWS = numberArg('rows', QUICK ? 100_000 : 1_000_000);
const ADMIN = { user: 'bench', password: 'bench-password-1' };

/** The CSV, produced as it is read (the client never holds it). */
function csv(rows: number): Readable {
  let i = 0;
  return Readable.from(
    (function* () {
      yield 'email;firstname;lastname;city;score\n';
      while (i < rows) {
        const lines: string[] = [];
        for (let end = Math.min(rows, i + 2000); i < end; i++)
          lines.push(`user${i}@example.com;First${i % 997};"Last, ${i % 991}";City${i % 50};${i % 1000}\n`);
        yield lines.join('');
      }
    })(),
  );
}

async function main(): Promise<void> {
  const env = await createTestEnv();
  const children: Record<string, ChildService> = {};
  const nc = await connect({ servers: env.natsUrl });
  try {
    children.preferences = await spawnService(env, 'preferences', { LOG_LEVEL: 'warn' }, await freePort());
    const port = await freePort();
    children.gateway = await spawnService(
      env,
      'gateway',
      { LOG_LEVEL: 'error', PORT: String(port), SB_ADMIN_USER: ADMIN.user, SB_ADMIN_PASSWORD: ADMIN.password },
      await freePort(),
    );
    const base = `http://127.0.0.1:${port}`;
    const auth = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;
    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(base + path, {
        method,
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    type Item = { list: { id: number } };
    const segment = (await call<Item>('POST', '/api/segments/new', { name: 'Imported' })).list;

    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    /** CPU ms of the two services and of this database's PostgreSQL backends, to read the figure apart from other load. */
    const cpu = async () => {
      const { rows } = await db.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      return {
        gateway: cpuMs(children.gateway.process.pid!),
        preferences: cpuMs(children.preferences.process.pid!),
        postgres: rows.reduce((sum, r) => sum + cpuMs(r.pid), 0),
      };
    };

    // 1. Import.
    const cpuBefore = await cpu();
    const samples: { progress: number; gateway?: number; preferences?: number }[] = [];
    const sample = (progress: number) =>
      samples.push({
        progress,
        gateway: rssMb(children.gateway.process.pid!),
        preferences: rssMb(children.preferences.process.pid!),
      });
    sample(0);
    const started = performance.now();
    const upload = await fetch(`${base}/api/segments/${segment.id}/import`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'text/csv' },
      body: Readable.toWeb(csv(ROWS)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    if (upload.status !== 202) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
    const uploadedMs = performance.now() - started;
    const { id } = ((await upload.json()) as { import: { id: number } }).import;
    let imp: { status: string; processed: number; created: number };
    for (;;) {
      imp = (await call<{ import: typeof imp }>('GET', `/api/imports/${id}`)).import;
      sample(imp.processed / ROWS);
      if (imp.status === 'completed' || imp.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const importMs = performance.now() - started;
    if (imp.status !== 'completed' || imp.created !== ROWS) throw new Error(`import: ${JSON.stringify(imp)}`);
    const rowsPerSecond = Math.round(ROWS / (importMs / 1000));
    console.log(
      `imported ${ROWS.toLocaleString()} rows in ${(importMs / 1000).toFixed(1)} s (upload stored after ${(uploadedMs / 1000).toFixed(1)} s): ` +
        `${rowsPerSecond.toLocaleString()} rows/s`,
    );
    const cpuAfter = await cpu();
    const perRow = (k: keyof typeof cpuAfter) => ((cpuAfter[k] - cpuBefore[k]) * 1000) / ROWS;
    const cpuTotalMs = (['gateway', 'preferences', 'postgres'] as const).reduce(
      (t, k) => t + cpuAfter[k] - cpuBefore[k],
      0,
    );
    const idleRowsPerSecond = Math.round((ROWS * 2000) / cpuTotalMs);
    console.log(
      `  CPU per row: gateway ${perRow('gateway').toFixed(0)} µs, preferences ${perRow('preferences').toFixed(0)} µs, ` +
        `postgres ${perRow('postgres').toFixed(0)} µs => ${idleRowsPerSecond.toLocaleString()} rows/s if these had 2 idle cores to themselves`,
    );
    const quarter = (q: number) => samples.find((s) => s.progress >= q) ?? samples[samples.length - 1];
    for (const q of [0, 0.25, 0.5, 0.75, 1])
      console.log(
        `  RSS at ${q * 100}% rows: gateway ${quarter(q).gateway} MiB, preferences ${quarter(q).preferences} MiB`,
      );

    // 2. Counting dynamic segments of N contacts.
    await db.query('VACUUM (ANALYZE) preferences.contacts, preferences.segment_members');
    const timed = async <T>(work: () => Promise<T>) => {
      const t = performance.now();
      const result = await work();
      return { result, ms: performance.now() - t };
    };
    const filters = [
      { glue: 'and', field: 'email', object: 'lead', type: 'email', operator: 'endsWith', filter: '@example.com' },
      { glue: 'and', field: 'score', object: 'lead', type: 'number', operator: 'gte', filter: 0 },
    ];
    const counts: Record<string, number> = {};
    for (const pass of ['cold', 'warm']) {
      const c = await timed(() => call<{ count: number }>('POST', '/api/segments/count', { filters }));
      if (c.result.count !== ROWS) throw new Error(`count: ${JSON.stringify(c.result)}`);
      counts[`dynamicCount${pass === 'cold' ? 'Cold' : 'Warm'}Ms`] = Math.round(c.ms);
      console.log(
        `count of a dynamic segment (email endsWith, custom number gte) = ${c.result.count.toLocaleString()} (${pass}): ${c.ms.toFixed(0)} ms`,
      );
    }
    const dynamic = (await call<Item>('POST', '/api/segments/new', { name: 'Dynamic', filters })).list;
    const few = (
      await call<Item>('POST', '/api/segments/new', {
        name: 'Few',
        filters: [{ glue: 'and', field: 'city', object: 'lead', type: 'text', operator: '=', filter: 'City7' }],
      })
    ).list;
    const rpc = new RpcClient(nc, new NatsNames(env.prefix), 60_000);
    const audience = await timed(() =>
      rpc.call(preferencesAudienceCount, { audience: { include: [dynamic.id, segment.id], exclude: [few.id] } }),
    );
    counts.audienceCountMs = Math.round(audience.ms);
    console.log(
      `audience.count (dynamic + static included, dynamic excluded) = ${audience.result.count.toLocaleString()}: ${audience.ms.toFixed(0)} ms`,
    );
    await db.end();
    const memoryMb = Object.fromEntries(Object.entries(children).map(([name, c]) => [name, peakRssMb(c.process.pid!)]));
    console.log(`peak RSS: gateway ${memoryMb.gateway} MiB, preferences ${memoryMb.preferences} MiB`);
    console.log(`machine load average: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    emitResult('audience', {
      rows: ROWS,
      perSecond: rowsPerSecond,
      idleRowsPerSecond,
      importSeconds: Math.round(importMs / 100) / 10,
      ...counts,
      rssMbAt: Object.fromEntries([0, 0.25, 0.5, 0.75, 1].map((q) => [q, quarter(q)])),
      memoryMb,
    });
  } finally {
    await nc.close();
    for (const child of Object.values(children)) await child.kill();
    await env.cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
