import type { MigrationInterface, QueryRunner } from 'typeorm';

export const AUDIT = `
  is_published boolean NOT NULL DEFAULT true,
  date_added timestamptz NOT NULL DEFAULT now(),
  date_modified timestamptz,
  created_by int,
  created_by_user text,
  modified_by int,
  modified_by_user text,
  version int NOT NULL DEFAULT 1`;

export class CreateCatalog1767100000100 implements MigrationInterface {
  name = 'CreateCatalog1767100000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE catalog.categories (
        id serial PRIMARY KEY,
        title text NOT NULL,
        alias text,
        description text,
        color text,
        bundle text NOT NULL DEFAULT 'global',
        ${AUDIT}
      )`);
    await q.query(`
      CREATE TABLE catalog.messages (
        id serial PRIMARY KEY,
        name text NOT NULL,
        description text,
        publish_up timestamptz,
        publish_down timestamptz,
        category_id int REFERENCES catalog.categories (id) ON DELETE SET NULL,
        ${AUDIT}
      )`);
    // Content items of every type share one table: the type's own fields live in `fields`.
    await q.query(`
      CREATE TABLE catalog.contents (
        id serial PRIMARY KEY,
        type text NOT NULL CHECK (type IN ('email', 'sms', 'notification', 'tweet')),
        name text NOT NULL,
        description text,
        language text,
        publish_up timestamptz,
        publish_down timestamptz,
        category_id int REFERENCES catalog.categories (id) ON DELETE SET NULL,
        fields jsonb NOT NULL DEFAULT '{}',
        ${AUDIT}
      )`);
    await q.query('CREATE INDEX contents_type_id ON catalog.contents (type, id)');
    await q.query(`
      CREATE TABLE catalog.message_channels (
        id serial PRIMARY KEY,
        message_id int NOT NULL REFERENCES catalog.messages (id) ON DELETE CASCADE,
        channel text NOT NULL,
        content_type text NOT NULL GENERATED ALWAYS AS (CASE channel WHEN 'mobile_notification' THEN 'notification' ELSE channel END) STORED,
        channel_id int,
        is_enabled boolean NOT NULL DEFAULT false,
        position int NOT NULL DEFAULT 0,
        UNIQUE (message_id, channel)
      )`);
    await q.query('CREATE INDEX message_channels_content ON catalog.message_channels (content_type, channel_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE catalog.message_channels');
    await q.query('DROP TABLE catalog.contents');
    await q.query('DROP TABLE catalog.messages');
    await q.query('DROP TABLE catalog.categories');
  }
}
