import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DeliveryEventVariants1797100000400 implements MigrationInterface {
  name = 'DeliveryEventVariants1797100000400';

  async up(q: QueryRunner): Promise<void> {
    // The content variant (and an email's dynamic-content choices) a sender reports on `sent` and
    // `failed` (DESIGN §7.2), shown per dispatch by GET /api/sends/{id}.
    await q.query('ALTER TABLE router.delivery_events ADD COLUMN variant text, ADD COLUMN dynamic_content jsonb');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE router.delivery_events DROP COLUMN dynamic_content, DROP COLUMN variant');
  }
}
