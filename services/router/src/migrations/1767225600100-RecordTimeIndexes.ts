import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RecordTimeIndexes1767225600100 implements MigrationInterface {
  name = 'RecordTimeIndexes1767225600100';

  async up(q: QueryRunner): Promise<void> {
    // Rows arrive in time order, so block ranges find what retention prunes at almost no cost per insert.
    await q.query('CREATE INDEX decisions_decided_at ON router.decisions USING brin (decided_at)');
    await q.query('CREATE INDEX delivery_events_received_at ON router.delivery_events USING brin (received_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX router.delivery_events_received_at');
    await q.query('DROP INDEX router.decisions_decided_at');
  }
}
