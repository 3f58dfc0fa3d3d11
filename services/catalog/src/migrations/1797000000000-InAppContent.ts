import type { MigrationInterface, QueryRunner } from 'typeorm';

/** In-app inbox messages (DESIGN §7.7) are a content type like the others. */
export class InAppContent1797000000000 implements MigrationInterface {
  name = 'InAppContent1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE catalog.contents DROP CONSTRAINT contents_type_check');
    await q.query(
      `ALTER TABLE catalog.contents ADD CONSTRAINT contents_type_check CHECK (type IN ('email', 'sms', 'notification', 'tweet', 'inapp'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM catalog.contents WHERE type = 'inapp'`);
    await q.query('ALTER TABLE catalog.contents DROP CONSTRAINT contents_type_check');
    await q.query(
      `ALTER TABLE catalog.contents ADD CONSTRAINT contents_type_check CHECK (type IN ('email', 'sms', 'notification', 'tweet'))`,
    );
  }
}
