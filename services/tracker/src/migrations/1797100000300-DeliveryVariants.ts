import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DeliveryVariants1797100000300 implements MigrationInterface {
  name = 'DeliveryVariants1797100000300';

  async up(q: QueryRunner): Promise<void> {
    // DESIGN §7.2: the content variant a send's current dispatch rendered (null: the base content), and
    // an email's dynamic-content choices. Statistics by variant read them for messages that have any,
    // found through these partial indexes without touching the sends of messages without variants.
    await q.query('ALTER TABLE tracker.deliveries ADD COLUMN variant text, ADD COLUMN dynamic_content jsonb');
    await q.query(
      'CREATE INDEX deliveries_message_variant_idx ON tracker.deliveries (message_id) WHERE variant IS NOT NULL',
    );
    await q.query(
      'CREATE INDEX deliveries_campaign_variant_idx ON tracker.deliveries (campaign_id) WHERE variant IS NOT NULL',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX tracker.deliveries_campaign_variant_idx');
    await q.query('DROP INDEX tracker.deliveries_message_variant_idx');
    await q.query('ALTER TABLE tracker.deliveries DROP COLUMN dynamic_content, DROP COLUMN variant');
  }
}
