import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client as PgClient } from 'pg';
import {
  preferencesImportsChunk,
  preferencesImportsClose,
  preferencesImportsGet,
  preferencesImportsOpen,
  preferencesSegmentsSave,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { createTestEnv, freePort, spawnService, waitFor, type ChildService, type TestEnv } from '@switchboard/testing';

const ROWS = 100_000;

/** A CSV import survives the death of the preferences process doing it: the next one resumes after the last committed batch. */
describe('preferences — an import across a crash', () => {
  let env: TestEnv;
  let nc: NatsConnection;
  let rpc: RpcClient;
  let child: ChildService | undefined;
  const spawn = async () =>
    (child = await spawnService(env, 'preferences', { IMPORT_LEASE_MS: '1500' }, await freePort()));

  beforeAll(async () => {
    env = await createTestEnv();
    nc = await connect({ servers: env.natsUrl });
    rpc = new RpcClient(nc, env.names, 15_000);
  });
  afterAll(async () => {
    await child?.kill('SIGKILL');
    await nc?.close();
    await env?.cleanup();
  });

  it('is killed mid-import (SIGKILL), restarted, and finishes every row exactly once', async () => {
    await spawn();
    const { segment } = await rpc.call(preferencesSegmentsSave, {
      mode: 'create',
      input: { name: 'Crash import' },
      actor: { id: null, name: null },
    });
    const lines = ['id,email,score'];
    for (let i = 0; i < ROWS; i++) lines.push(`crash-${i},crash-${i}@example.com,${i}`);
    const file = Buffer.from(lines.join('\n') + '\n');
    const { id } = await rpc.call(preferencesImportsOpen, { segmentId: segment.id! });
    const size = 512 * 1024;
    let seq = 0;
    for (let at = 0; at < file.length; at += size)
      await rpc.call(preferencesImportsChunk, {
        id,
        seq: seq++,
        data: file.subarray(at, at + size).toString('base64'),
      });
    await rpc.call(preferencesImportsClose, { id, chunks: seq });

    const get = async () => (await rpc.call(preferencesImportsGet, { id })).import;
    await waitFor(async () => ((await get()).processed >= 2000 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    await child!.kill('SIGKILL');
    // Nobody answers RPCs now: read the persisted position straight from the database.
    const pg = new PgClient({ connectionString: env.databaseUrl });
    await pg.connect();
    const [atCrash] = (
      await pg.query<{ status: string; processed: number }>(
        'SELECT status, processed FROM preferences.imports WHERE id = $1',
        [id],
      )
    ).rows;
    expect(atCrash.status).toBe('running');
    expect(atCrash.processed).toBeLessThan(ROWS);
    expect(atCrash.processed % 1000).toBe(0);

    await spawn();
    const done = await waitFor(
      async () => {
        const imp = await get();
        return imp.status === 'completed' || imp.status === 'failed' ? imp : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    // Resumed, not restarted: a row imported twice would count as unchanged.
    expect(done).toMatchObject({
      status: 'completed',
      processed: ROWS,
      created: ROWS,
      unchanged: 0,
      updated: 0,
      failed: 0,
    });
    try {
      const { rows } = await pg.query<{ contacts: number; members: number; chunks: number }>(
        `SELECT (SELECT count(*)::int FROM preferences.contacts) AS contacts,
                (SELECT count(*)::int FROM preferences.segment_members WHERE segment_id = $1) AS members,
                (SELECT count(*)::int FROM preferences.import_chunks) AS chunks`,
        [segment.id],
      );
      expect(rows[0]).toEqual({ contacts: ROWS, members: ROWS, chunks: 0 });
    } finally {
      await pg.end();
    }
  }, 180_000);
});
