import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How many times a dispatch was sent again because an earlier provider call of it was never
 * recorded (its worker died, or could not write the record, in the middle of the call).
 */
export function addCrashResendsToDispatchAttemptsMigration(schema: string): Function {
  const table = `"${schema}".dispatch_attempts`;
  return class AddCrashResendsToDispatchAttempts1796800000000 implements MigrationInterface {
    name = 'AddCrashResendsToDispatchAttempts1796800000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${table} ADD COLUMN crash_resends integer NOT NULL DEFAULT 0`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${table} DROP COLUMN crash_resends`);
    }
  };
}
