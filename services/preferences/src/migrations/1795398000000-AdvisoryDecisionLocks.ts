import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Decisions lock contacts with transaction-scoped advisory locks, which touch no page: the lock
 * table's rows were dirtied by every decision and, once the audience outgrew shared_buffers,
 * written back by the deciding backends themselves (half of the locking statement's time over 1M
 * contacts).
 */
export class AdvisoryDecisionLocks1795398000000 implements MigrationInterface {
  name = 'AdvisoryDecisionLocks1795398000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE preferences.contact_locks');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE UNLOGGED TABLE preferences.contact_locks (contact_id text PRIMARY KEY)');
    await q.query('INSERT INTO preferences.contact_locks (contact_id) SELECT id FROM preferences.contacts');
  }
}
