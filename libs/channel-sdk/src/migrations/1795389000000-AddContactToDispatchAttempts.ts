import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The contact of each attempt, so that an erased contact's provider errors (which may quote the address) can be scrubbed. */
export function addContactToDispatchAttemptsMigration(schema: string): Function {
  const table = `"${schema}".dispatch_attempts`;
  return class AddContactToDispatchAttempts1795389000000 implements MigrationInterface {
    name = 'AddContactToDispatchAttempts1795389000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${table} ADD COLUMN contact_id text`);
      await q.query(`CREATE INDEX dispatch_attempts_contact_id_idx ON ${table} (contact_id)`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${table} DROP COLUMN contact_id`);
    }
  };
}
