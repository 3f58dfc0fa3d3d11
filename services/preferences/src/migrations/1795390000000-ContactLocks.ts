import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Row locks that serialize concurrent decisions for one contact. Locking the contacts rows
 * themselves writes a WAL record per row — a full page image for the first touch of each page after
 * a checkpoint, about 8 kB per decision over a large audience. An unlogged table's rows lock without
 * any WAL; losing it in a crash loses nothing, since the locking statement upserts its rows.
 */
export class ContactLocks1795390000000 implements MigrationInterface {
  name = 'ContactLocks1795390000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE UNLOGGED TABLE preferences.contact_locks (contact_id text PRIMARY KEY)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE preferences.contact_locks');
  }
}
