import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contact search by word prefix (email, full name, each name word) instead of trigram substrings:
 * a trigram index answers terms made of common trigrams (`exa`, `com`) slowly, a btree prefix range
 * does not. Also indexes for a message's or a campaign's deliveries on one channel.
 */
export class SearchWords1795393000000 implements MigrationInterface {
  name = 'SearchWords1795393000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tracker.contact_words (
        word text NOT NULL,
        contact_id text NOT NULL,
        PRIMARY KEY (word, contact_id)
      )`);
    await q.query('CREATE INDEX contact_words_prefix_idx ON tracker.contact_words (word text_pattern_ops)');
    await q.query('CREATE INDEX contact_words_contact_idx ON tracker.contact_words (contact_id)');
    await q.query(`
      INSERT INTO tracker.contact_words (word, contact_id)
      SELECT DISTINCT left(w, 200), c.contact_id
      FROM tracker.contacts c,
           unnest(ARRAY[lower(c.email), lower(c.name)] || regexp_split_to_array(lower(coalesce(c.name, '')), '\\s+')) w
      WHERE w <> ''
      ON CONFLICT DO NOTHING`);
    await q.query('DROP INDEX tracker.contacts_label_trgm_idx');
    await q.query('ALTER TABLE tracker.contacts DROP COLUMN label');
    await q.query(
      'CREATE INDEX deliveries_message_channel_idx ON tracker.deliveries (message_id, channel, created_at, id)',
    );
    await q.query(
      'CREATE INDEX deliveries_campaign_channel_idx ON tracker.deliveries (campaign_id, channel, created_at, id)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX tracker.deliveries_campaign_channel_idx');
    await q.query('DROP INDEX tracker.deliveries_message_channel_idx');
    await q.query(
      `ALTER TABLE tracker.contacts ADD COLUMN label text GENERATED ALWAYS AS (lower(coalesce(email, '') || ' ' || coalesce(name, ''))) STORED`,
    );
    await q.query('CREATE INDEX contacts_label_trgm_idx ON tracker.contacts USING gin (label public.gin_trgm_ops)');
    await q.query('DROP TABLE tracker.contact_words');
  }
}
