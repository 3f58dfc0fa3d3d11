import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateShortLinks1797000000200 implements MigrationInterface {
  name = 'CreateShortLinks1797000000200';

  async up(q: QueryRunner): Promise<void> {
    // DESIGN §7.2 short links: the code stands for a click-tracking token; clicks are the link's own figures.
    await q.query(`
      CREATE TABLE tracker.short_links (
        code text PRIMARY KEY,
        token text NOT NULL,
        message_id int NOT NULL,
        url text NOT NULL,
        clicks int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_clicked_at timestamptz
      )`);
    await q.query('CREATE INDEX short_links_message ON tracker.short_links (message_id, created_at DESC)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE tracker.short_links');
  }
}
