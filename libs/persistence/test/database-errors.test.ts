import { DataSource } from 'typeorm';
import { ErrorCode } from '@switchboard/contracts';
import { createTestEnv, type TestEnv } from '@switchboard/testing';
import { domainErrorOfDatabase, isPermanentDataError } from '../src';

/** What PostgreSQL answers for bad input, through TypeORM, becomes one DomainError (issue #23 point 5). */
describe('database errors (real PostgreSQL)', () => {
  let env: TestEnv;
  let ds: DataSource;

  beforeAll(async () => {
    env = await createTestEnv();
    ds = new DataSource({ type: 'postgres', url: env.databaseUrl });
    await ds.initialize();
    await ds.query("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL CHECK (name <> ''))");
    await ds.query("INSERT INTO items VALUES (1, 'one')");
  });
  afterAll(async () => {
    await ds?.destroy();
    await env?.cleanup();
  });

  const failure = (sql: string, params: unknown[] = []) =>
    ds.query(sql, params).then(
      () => {
        throw new Error(`expected ${sql} to fail`);
      },
      (error: unknown) => error,
    );

  it.each([
    ['an int past its range', 'SELECT $1::int', ['9999999999'], 'A number is out of range.'],
    ['year 0000', 'SELECT $1::timestamptz', ['0000-01-01T00:00:00Z'], 'A date is out of range.'],
    [
      'a NUL byte in jsonb',
      'SELECT $1::jsonb',
      ['"a\\u0000b"'],
      'A value contains a character that cannot be stored (such as NUL).',
    ],
    ['text that is not a number', 'SELECT $1::int', ['abc'], 'A value has the wrong type.'],
    ['a missing required value', 'INSERT INTO items VALUES (2, NULL)', [], 'A required value is missing or not valid.'],
  ])('maps %s to a permanent validation error', async (_what, sql, params, message) => {
    const error = await failure(sql, params);
    expect(isPermanentDataError(error)).toBe(true);
    expect(domainErrorOfDatabase(error)).toMatchObject({ code: ErrorCode.Validation, message });
  });

  it('maps a unique violation to a conflict that a consumer retries', async () => {
    const error = await failure("INSERT INTO items VALUES (1, 'again')");
    expect(domainErrorOfDatabase(error)).toMatchObject({ code: ErrorCode.Conflict });
    expect(isPermanentDataError(error)).toBe(false);
  });

  it('leaves other errors alone (a bug in our SQL stays a 500)', async () => {
    const error = await failure('SELECT nope FROM items');
    expect(domainErrorOfDatabase(error)).toBeUndefined();
    expect(domainErrorOfDatabase(new Error('connection lost'))).toBeUndefined();
  });
});
