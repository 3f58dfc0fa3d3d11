import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The attempts of each dispatch, keyed by dispatch id, in the sender's own schema. The SDK owns
 * the table, so the migration is built for the schema the sender names.
 */
export function createDispatchAttemptsMigration(schema: string): Function {
  const table = `"${schema}".dispatch_attempts`;
  return class CreateDispatchAttempts1795386500000 implements MigrationInterface {
    name = 'CreateDispatchAttempts1795386500000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`
        CREATE TABLE ${table} (
          dispatch_id text PRIMARY KEY,
          channel text NOT NULL,
          status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
          attempts integer NOT NULL DEFAULT 0,
          claimed_at timestamptz,
          last_error text,
          event jsonb,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now()
        )`);
      await q.query(`CREATE INDEX dispatch_attempts_updated_at_idx ON ${table} (updated_at)`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${table}`);
    }
  };
}
