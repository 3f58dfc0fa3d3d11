import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DeliveryEventTargetRemoved1797050000000 implements MigrationInterface {
  name = 'DeliveryEventTargetRemoved1797050000000';

  async up(q: QueryRunner): Promise<void> {
    // A bounce that only removed one dead push target (meta.removedAddress, not kept here): GET
    // /api/sends/{id} reads a dispatch whose other targets took the message as sent, not bounced.
    await q.query('ALTER TABLE router.delivery_events ADD COLUMN target_removed boolean NOT NULL DEFAULT false');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE router.delivery_events DROP COLUMN target_removed');
  }
}
