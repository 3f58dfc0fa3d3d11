import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The copies behind `{{ webview_url }}` (Mautic's `email_copies`, kept per dispatch rather than
 * per distinct body because what is kept is the personalised HTML): one row per dispatch whose
 * content uses the web view link, so a redelivered dispatch overwrites its copy instead of adding
 * one. Retention (the Pruner) deletes by `created_at`; erasure by contact.
 */
export class CreateWebViewCopies1797100000000 implements MigrationInterface {
  name = 'CreateWebViewCopies1797100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sender_email.web_view_copies (
        dispatch_id text PRIMARY KEY,
        contact_id text NOT NULL,
        subject text NOT NULL,
        html text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX web_view_copies_created ON sender_email.web_view_copies (created_at)');
    await q.query('CREATE INDEX web_view_copies_contact ON sender_email.web_view_copies (contact_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sender_email.web_view_copies');
  }
}
