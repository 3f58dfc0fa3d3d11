import { DataSource } from 'typeorm';
import { createTestEnv, type TestEnv } from '@switchboard/testing';
import { Pruner } from '../src';

describe('Pruner (real PostgreSQL)', () => {
  let env: TestEnv;
  let ds: DataSource;

  beforeAll(async () => {
    env = await createTestEnv();
    ds = new DataSource({ type: 'postgres', url: env.databaseUrl });
    await ds.initialize();
    await ds.query('CREATE SCHEMA kept');
    await ds.query('CREATE TABLE kept.events (id int PRIMARY KEY, at timestamptz NOT NULL)');
    await ds.query('CREATE TABLE kept.marks (id int PRIMARY KEY, seen timestamptz NOT NULL)');
  });
  afterAll(async () => {
    await ds?.destroy();
    await env?.cleanup();
  });

  it('deletes the rows older than each rule, chunk after chunk, and keeps the rest', async () => {
    // 25 rows 10 days old, 5 of 1 day; marks: 3 of 2 hours, 2 of 10 minutes.
    await ds.query(
      `INSERT INTO kept.events SELECT g, now() - CASE WHEN g <= 25 THEN interval '10 days' ELSE interval '1 day' END FROM generate_series(1, 30) g`,
    );
    await ds.query(
      `INSERT INTO kept.marks SELECT g, now() - CASE WHEN g <= 3 THEN interval '2 hours' ELSE interval '10 minutes' END FROM generate_series(1, 5) g`,
    );
    const pruner = new Pruner(
      ds,
      [
        { table: 'kept.events', column: 'at', olderThanMs: 2 * 86_400_000 },
        { table: 'kept.marks', column: 'seen', olderThanMs: 3_600_000 },
      ],
      { chunk: 10 },
    );
    // Two calls while one runs share it.
    const [first, second] = await Promise.all([pruner.prune(), pruner.prune()]);
    expect(first).toEqual({ 'kept.events': 25, 'kept.marks': 3 });
    expect(second).toBe(first);
    expect(await ds.query('SELECT count(*)::int AS n FROM kept.events')).toEqual([{ n: 5 }]);
    expect(await ds.query('SELECT array_agg(id ORDER BY id) AS ids FROM kept.marks')).toEqual([{ ids: [4, 5] }]);
    expect(await pruner.prune()).toEqual({ 'kept.events': 0, 'kept.marks': 0 });
  });
});
