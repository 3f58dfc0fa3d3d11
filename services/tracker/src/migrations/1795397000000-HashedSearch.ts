import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A search hashes its matching contacts once and walks the time index, testing each row's contact:
 * - the time index carries the contact id, so the walk reads the table only for the page's rows;
 * - a term without whitespace reads only the words without whitespace (half of them: full names
 *   start with their first word), so every word with whitespace also gets its leading run as a
 *   word of its own (it already is for a name; for an email with a space it is new), which a
 *   term without whitespace matches exactly when it matches the word.
 */
export class HashedSearch1795397000000 implements MigrationInterface {
  name = 'HashedSearch1795397000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE INDEX deliveries_created_contact_idx ON tracker.deliveries (created_at, id) INCLUDE (contact_id)',
    );
    await q.query('DROP INDEX tracker.deliveries_created_idx');
    await q.query(`
      INSERT INTO tracker.contact_words (word, contact_id)
      SELECT DISTINCT substring(word from '^\\S+'), contact_id FROM tracker.contact_words WHERE word ~ '^\\S+\\s'
      ON CONFLICT DO NOTHING`);
    await q.query(
      `CREATE INDEX contact_words_unspaced_idx ON tracker.contact_words (word text_pattern_ops, contact_id) WHERE word !~ '\\s'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX tracker.contact_words_unspaced_idx');
    await q.query('CREATE INDEX deliveries_created_idx ON tracker.deliveries (created_at, id)');
    await q.query('DROP INDEX tracker.deliveries_created_contact_idx');
  }
}
