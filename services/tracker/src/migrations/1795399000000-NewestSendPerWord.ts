import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each search word carries the time of its contact's newest send, so a search over many contacts
 * starts walking the time index at the newest of their sends instead of at the newest of all (a
 * set of contacts whose sends lie in old time walked every send since). The word indexes include
 * it, so that newest time is read from the same index range as the contacts.
 */
export class NewestSendPerWord1795399000000 implements MigrationInterface {
  name = 'NewestSendPerWord1795399000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE tracker.contact_words ADD COLUMN newest_send_at timestamptz');
    await q.query(`
      UPDATE tracker.contact_words w SET newest_send_at = n.at
      FROM (SELECT contact_id, max(created_at) AS at FROM tracker.deliveries GROUP BY contact_id) n
      WHERE n.contact_id = w.contact_id`);
    await q.query(
      'CREATE UNIQUE INDEX contact_words_word_newest_idx ON tracker.contact_words (word text_pattern_ops, contact_id) INCLUDE (newest_send_at)',
    );
    await q.query('DROP INDEX tracker.contact_words_word_idx');
    await q.query('ALTER INDEX tracker.contact_words_word_newest_idx RENAME TO contact_words_word_idx');
    await q.query(
      `CREATE INDEX contact_words_unspaced_newest_idx ON tracker.contact_words (word text_pattern_ops, contact_id)
       INCLUDE (newest_send_at) WHERE word !~ '\\s'`,
    );
    await q.query('DROP INDEX tracker.contact_words_unspaced_idx');
    await q.query('ALTER INDEX tracker.contact_words_unspaced_newest_idx RENAME TO contact_words_unspaced_idx');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX tracker.contact_words_unspaced_idx');
    await q.query(
      `CREATE INDEX contact_words_unspaced_idx ON tracker.contact_words (word text_pattern_ops, contact_id) WHERE word !~ '\\s'`,
    );
    await q.query('DROP INDEX tracker.contact_words_word_idx');
    await q.query(
      'CREATE UNIQUE INDEX contact_words_word_idx ON tracker.contact_words (word text_pattern_ops, contact_id)',
    );
    await q.query('ALTER TABLE tracker.contact_words DROP COLUMN newest_send_at');
  }
}
