import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateListEmailSends1796990000200 implements MigrationInterface {
  name = 'CreateListEmailSends1796990000200';

  async up(q: QueryRunner): Promise<void> {
    // Who a segment email (Mautic's `POST /api/emails/{id}/send`) was sent to: Mautic sends a
    // list email to each member once, so a second call sends only to members added since.
    await q.query(`
      CREATE TABLE campaign_actions.list_email_sends (
        email_id integer NOT NULL,
        contact_id text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (email_id, contact_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE campaign_actions.list_email_sends');
  }
}
