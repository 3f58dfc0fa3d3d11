import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Index-only search: one unique index serves the upsert and the prefix range (covering the contact
 * id), another the per-row probe of a broad search (and the erasure of a contact's words).
 */
export class CoveringSearchIndex1795394000000 implements MigrationInterface {
  name = 'CoveringSearchIndex1795394000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE UNIQUE INDEX contact_words_word_idx ON tracker.contact_words (word text_pattern_ops, contact_id)',
    );
    await q.query('ALTER TABLE tracker.contact_words DROP CONSTRAINT contact_words_pkey');
    await q.query('DROP INDEX tracker.contact_words_prefix_idx');
    await q.query(
      'CREATE INDEX contact_words_contact_word_idx ON tracker.contact_words (contact_id, word text_pattern_ops)',
    );
    await q.query('DROP INDEX tracker.contact_words_contact_idx');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX contact_words_contact_idx ON tracker.contact_words (contact_id)');
    await q.query('DROP INDEX tracker.contact_words_contact_word_idx');
    await q.query('CREATE INDEX contact_words_prefix_idx ON tracker.contact_words (word text_pattern_ops)');
    await q.query('ALTER TABLE tracker.contact_words ADD PRIMARY KEY (word, contact_id)');
    await q.query('DROP INDEX tracker.contact_words_word_idx');
  }
}
