import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DeliveryEventCrashResends1796900000000 implements MigrationInterface {
  name = 'DeliveryEventCrashResends1796900000000';

  async up(q: QueryRunner): Promise<void> {
    // The sender's crash_resends as its event reported it (meta.resentAfterCrash): GET /api/sends/{id}
    // names the sends that may have reached their provider twice (docs/guarantees.md).
    await q.query('ALTER TABLE router.delivery_events ADD COLUMN resent_after_crash integer');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE router.delivery_events DROP COLUMN resent_after_crash');
  }
}
