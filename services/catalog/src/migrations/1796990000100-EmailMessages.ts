import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mautic's email send endpoints name an email, but every send is routed as a marketing message.
 * Such an email gets one message of its own, with the email as its only channel: `email_id` marks
 * it (hidden from message lists; deleted with the email).
 */
export class EmailMessages1796990000100 implements MigrationInterface {
  name = 'EmailMessages1796990000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE catalog.messages ADD COLUMN email_id int UNIQUE REFERENCES catalog.contents (id) ON DELETE CASCADE',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE catalog.messages DROP COLUMN email_id');
  }
}
