import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What dynamic segments read besides the contact row: safe casts of custom-field text (a value
 * that is not a number, date or boolean compares as null instead of failing the query), and a
 * summary of delivery activity per (contact, message, kind), kept from the delivery events, so
 * "opened message 12 within 30 days" is an index probe here rather than a call to the tracker.
 */
export class SegmentFilters1796620000001 implements MigrationInterface {
  name = 'SegmentFilters1796620000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION preferences.sb_numeric(t text) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
      $$ SELECT CASE WHEN t ~ '^\\s*[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d{1,3})?\\s*$' THEN t::numeric END $$`);
    await q.query(`
      CREATE FUNCTION preferences.sb_boolean(t text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
      $$ SELECT CASE WHEN lower(t) IN ('1', 'true', 'yes', 'y', 'on') THEN true
                     WHEN lower(t) IN ('0', 'false', 'no', 'n', 'off') THEN false END $$`);
    await q.query(`
      CREATE FUNCTION preferences.sb_timestamptz(t text) RETURNS timestamptz LANGUAGE plpgsql STABLE PARALLEL SAFE AS
      $$ BEGIN
           IF t IS NULL OR t !~ '^\\s*\\d{4}-\\d{2}-\\d{2}' THEN RETURN NULL; END IF;
           RETURN t::timestamptz;
         EXCEPTION WHEN others THEN RETURN NULL;
         END $$`);
    await q.query(`
      CREATE TABLE preferences.contact_activity (
        contact_id text NOT NULL REFERENCES preferences.contacts (id) ON DELETE CASCADE,
        kind text NOT NULL,
        message_id bigint NOT NULL,
        last_at timestamptz NOT NULL,
        PRIMARY KEY (contact_id, kind, message_id)
      )`);
    // Mautic's audit fields: the user ids beside the names kept in created_by / modified_by.
    await q.query(
      'ALTER TABLE preferences.segments ADD COLUMN created_by_id integer, ADD COLUMN modified_by_id integer',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE preferences.segments DROP COLUMN created_by_id, DROP COLUMN modified_by_id');
    await q.query('DROP TABLE preferences.contact_activity');
    for (const fn of ['sb_numeric(text)', 'sb_boolean(text)', 'sb_timestamptz(text)'])
      await q.query(`DROP FUNCTION preferences.${fn}`);
  }
}
