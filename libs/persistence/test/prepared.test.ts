import type { DataSource } from 'typeorm';
import { createTestEnv, type TestEnv } from '@switchboard/testing';
import { createServiceDataSource, type PreparedStatement, queryPrepared } from '../src';

interface NumberRow {
  n: number;
}
interface PreparedRow {
  name: string;
  customPlans: number;
  genericPlans: number;
}

const DOUBLED: PreparedStatement = {
  name: 'test.doubled',
  text: 'SELECT g * 2 AS n FROM generate_series(1, $1::int) g',
};

describe('queryPrepared (real PostgreSQL)', () => {
  let env: TestEnv;
  let ds: DataSource;

  beforeAll(async () => {
    env = await createTestEnv();
    // One connection, so every transaction below runs on the same session.
    ds = createServiceDataSource({ url: env.databaseUrl, schema: 'prepared', poolSize: 1 });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await env?.cleanup();
  });

  it("keeps the statement parsed on the transaction's connection and plans every run for its own parameters", async () => {
    for (const count of [1, 2, 3, 4, 5, 6, 7, 8])
      expect(await ds.transaction((em) => queryPrepared<NumberRow>(em, DOUBLED, [count]))).toEqual(
        Array.from({ length: count }, (_, i) => ({ n: 2 * (i + 1) })),
      );
    const stats = await ds.query<PreparedRow[]>(
      `SELECT name, custom_plans::int AS "customPlans", generic_plans::int AS "genericPlans"
         FROM pg_prepared_statements WHERE name = $1`,
      [DOUBLED.name],
    );
    // Past five runs PostgreSQL would switch to one generic plan; the service connections forbid it.
    expect(stats).toEqual([{ name: DOUBLED.name, customPlans: 8, genericPlans: 0 }]);
  });

  it('runs an ordinary query outside a transaction', async () => {
    expect(await queryPrepared<NumberRow>(ds, DOUBLED, [2])).toEqual([{ n: 2 }, { n: 4 }]);
  });
});
