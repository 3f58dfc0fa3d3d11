import { DataSource } from 'typeorm';
import { createTestEnv, type TestEnv } from '@switchboard/testing';
import { copyField, copyIn, copyLines, databaseErrorOf, execute } from '../src';

describe('copyIn (real PostgreSQL)', () => {
  let env: TestEnv;
  let ds: DataSource;

  beforeAll(async () => {
    env = await createTestEnv();
    // One connection: a failed COPY must leave it fit for the next statement.
    ds = new DataSource({ type: 'postgres', url: env.databaseUrl, extra: { max: 1 } });
    await ds.initialize();
    await execute(ds, 'CREATE SCHEMA copied');
    await execute(ds, 'CREATE TABLE copied.rows (id int PRIMARY KEY, label text, doc jsonb, at timestamptz)');
  });
  afterAll(async () => {
    await ds?.destroy();
    await env?.cleanup();
  });

  const line = (...fields: Parameters<typeof copyField>[0][]) => fields.map(copyField).join('\t') + '\n';

  it('stores text with the characters COPY reserves, nulls and JSON as given', async () => {
    const awkward = 'tab\there, line\nbreak, return\r, back\\slash, \\N, quote " and é€😀';
    const doc = { note: awkward, list: ['a\\b', 'c\td'], none: null };
    const at = '2026-12-07T12:34:56.789Z';
    await copyIn(ds, 'copied.rows (id, label, doc, at)', line(1, awkward, doc, at) + line(2, null, null, null));
    const rows = await ds.query<{ id: number; label: string | null; doc: unknown; at: Date | null }[]>(
      'SELECT id, label, doc, at FROM copied.rows ORDER BY id',
    );
    expect(rows).toEqual([
      { id: 1, label: awkward, doc, at: new Date(at) },
      { id: 2, label: null, doc: null, at: null },
    ]);
  });

  it('stores none of the rows when one meets a stored key, and throws the unique violation', async () => {
    const error = await copyIn(ds, 'copied.rows (id, label)', line(3, 'new') + line(1, 'again') + line(4, 'new')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(databaseErrorOf(error)?.code).toBe('23505');
    expect(await ds.query<{ ids: number[] }[]>('SELECT array_agg(id ORDER BY id) AS ids FROM copied.rows')).toEqual([
      { ids: [1, 2] },
    ]);
    // The one connection serves the next COPY.
    await copyIn(ds, 'copied.rows (id, label)', line(3, 'new'));
    expect(await ds.query<{ n: number }[]>('SELECT count(*)::int AS n FROM copied.rows')).toEqual([{ n: 3 }]);
  });

  it("runs inside a transaction's connection given its EntityManager, and commits or rolls back with it", async () => {
    await ds.transaction(async (em) => {
      await execute(em, "INSERT INTO copied.rows (id, label) VALUES (10, 'before')");
      await copyIn(em, 'copied.rows (id, label)', line(11, 'copied'));
      // The same connection: the COPY's row is visible before the commit, beside the insert's.
      expect(
        await em.query<{ ids: number[] }[]>('SELECT array_agg(id ORDER BY id) AS ids FROM copied.rows WHERE id >= 10'),
      ).toEqual([{ ids: [10, 11] }]);
    });
    const undone = await ds
      .transaction(async (em) => {
        await copyIn(em, 'copied.rows (id, label)', line(12, 'undone'));
        await copyIn(em, 'copied.rows (id, label)', line(11, 'again'));
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(databaseErrorOf(undone)?.code).toBe('23505');
    expect(
      await ds.query<{ ids: number[] }[]>('SELECT array_agg(id ORDER BY id) AS ids FROM copied.rows WHERE id >= 10'),
    ).toEqual([{ ids: [10, 11] }]);
  });

  it('throws when the COPY cannot start, and the connection drops the rows sent with it and serves the next', async () => {
    const error = await copyIn(ds, 'copied.rows (id, no_such_column)', line(20, 'x')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(databaseErrorOf(error)?.code).toBe('42703');
    expect(await ds.query<{ n: number }[]>('SELECT count(*)::int AS n FROM copied.rows WHERE id = 20')).toEqual([
      { n: 0 },
    ]);
  });

  it('sends a batch larger than the socket buffer whole', async () => {
    const label = 'x'.repeat(1000);
    let rows = '';
    for (let id = 1000; id < 11_000; id++) rows += line(id, label);
    await copyIn(ds, 'copied.rows (id, label)', rows);
    expect(
      await ds.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM copied.rows WHERE id >= 1000 AND length(label) = 1000',
      ),
    ).toEqual([{ n: 10_000 }]);
  });

  it('sends rows given in pieces (copyLines) whole, non-ASCII text included', async () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => 20_000 + i);
    const pieces = copyLines(ids, (id) => line(id, `é€😀 ${id}`, { id }));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(ids.map((id) => line(id, `é€😀 ${id}`, { id })).join(''));
    await copyIn(ds, 'copied.rows (id, label, doc)', pieces);
    expect(
      await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM copied.rows WHERE id >= 20000 AND label = 'é€😀 ' || id AND (doc->>'id')::int = id`,
      ),
    ).toEqual([{ n: 2_000 }]);
  });
});
