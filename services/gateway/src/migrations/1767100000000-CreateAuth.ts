import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuth1767100000000 implements MigrationInterface {
  name = 'CreateAuth1767100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gateway.users (
        id serial PRIMARY KEY,
        username text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        is_admin boolean NOT NULL DEFAULT false,
        date_added timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE gateway.api_clients (
        id serial PRIMARY KEY,
        name text NOT NULL,
        client_id text NOT NULL UNIQUE,
        secret_hash text NOT NULL,
        created_by int REFERENCES gateway.users (id) ON DELETE SET NULL,
        date_added timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE gateway.access_tokens (
        token_hash text PRIMARY KEY,
        client_id int NOT NULL REFERENCES gateway.api_clients (id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        date_added timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX access_tokens_expires_at ON gateway.access_tokens (expires_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE gateway.access_tokens');
    await q.query('DROP TABLE gateway.api_clients');
    await q.query('DROP TABLE gateway.users');
  }
}
