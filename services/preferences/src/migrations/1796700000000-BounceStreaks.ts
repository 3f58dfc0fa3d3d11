import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Soft bounces in a row per contact and channel (DESIGN §6: SOFT_BOUNCE_LIMIT of them count as a hard one). */
export class BounceStreaks1796700000000 implements MigrationInterface {
  name = 'BounceStreaks1796700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE preferences.bounce_streaks (
        contact_id text NOT NULL REFERENCES preferences.contacts (id) ON DELETE CASCADE,
        channel text NOT NULL,
        soft_bounces integer NOT NULL,
        last_bounce_at timestamptz NOT NULL,
        PRIMARY KEY (contact_id, channel)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE preferences.bounce_streaks');
  }
}
