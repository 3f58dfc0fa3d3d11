import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reservation becomes part of its decision's row: both are keyed by (send_id, attempt) and
 * written together, and a second table cost a heap insert and three index entries per decision.
 * `frequency_ledger` stays as a view of the routed rows. Lock rows are backfilled for every contact.
 */
export class ReservationsInDecisions1795390000001 implements MigrationInterface {
  name = 'ReservationsInDecisions1795390000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE preferences.decisions ADD COLUMN channel text, ADD COLUMN reserved_at timestamptz');
    await q.query(`
      UPDATE preferences.decisions d SET channel = l.channel, reserved_at = l.reserved_at
        FROM preferences.frequency_ledger l WHERE l.send_id = d.send_id AND l.attempt = d.attempt`);
    await q.query('DROP TABLE preferences.frequency_ledger');
    await q.query('DROP INDEX preferences.decisions_contact_idx');
    // Serves the rolling windows (contact, channel, reserved_at) and erasure (contact_id prefix).
    await q.query(
      'CREATE INDEX decisions_reservations_idx ON preferences.decisions (contact_id, channel, reserved_at)',
    );
    await q.query(`
      CREATE VIEW preferences.frequency_ledger AS
        SELECT send_id, attempt, contact_id, channel, reserved_at FROM preferences.decisions WHERE reserved_at IS NOT NULL`);
    await q.query(
      'INSERT INTO preferences.contact_locks (contact_id) SELECT id FROM preferences.contacts ON CONFLICT DO NOTHING',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP VIEW preferences.frequency_ledger');
    await q.query(`
      CREATE TABLE preferences.frequency_ledger (
        send_id text NOT NULL, attempt integer NOT NULL, contact_id text NOT NULL, channel text NOT NULL,
        reserved_at timestamptz NOT NULL, PRIMARY KEY (send_id, attempt))`);
    await q.query(`
      INSERT INTO preferences.frequency_ledger SELECT send_id, attempt, contact_id, channel, reserved_at
        FROM preferences.decisions WHERE reserved_at IS NOT NULL`);
    await q.query(
      'CREATE INDEX frequency_ledger_window_idx ON preferences.frequency_ledger (contact_id, channel, reserved_at)',
    );
    await q.query('DROP INDEX preferences.decisions_reservations_idx');
    await q.query('CREATE INDEX decisions_contact_idx ON preferences.decisions (contact_id)');
    await q.query('ALTER TABLE preferences.decisions DROP COLUMN channel, DROP COLUMN reserved_at');
  }
}
