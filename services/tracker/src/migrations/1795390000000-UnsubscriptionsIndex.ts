import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UnsubscriptionsIndex1795390000000 implements MigrationInterface {
  name = 'UnsubscriptionsIndex1795390000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE INDEX deliveries_unsubscribed_idx ON tracker.deliveries (unsubscribed_at DESC, contact_id, channel) WHERE unsubscribed_at IS NOT NULL',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX tracker.deliveries_unsubscribed_idx');
  }
}
