import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Roles (DESIGN §7.4) replace the admin flag; usernames become case-insensitive (one index on
 * lower(username)); users can be disabled. `login_failures` is the shared failed-login counter
 * (rate-limiter-flexible's PostgreSQL layout) so every gateway instance sees the same limits.
 */
export class UserRoles1767300000000 implements MigrationInterface {
  name = 'UserRoles1767300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE gateway.users
        ADD COLUMN role text NOT NULL DEFAULT 'viewer' CHECK (role IN ('admin', 'marketer', 'approver', 'viewer')),
        ADD COLUMN disabled boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE gateway.users SET role = 'admin' WHERE is_admin`);
    await q.query('ALTER TABLE gateway.users DROP COLUMN is_admin');
    await q.query('ALTER TABLE gateway.users DROP CONSTRAINT users_username_key');
    await q.query('CREATE UNIQUE INDEX users_username_lower ON gateway.users (lower(username))');
    await q.query(`
      ALTER TABLE gateway.api_clients
        ADD COLUMN role text NOT NULL DEFAULT 'marketer' CHECK (role IN ('admin', 'marketer', 'approver', 'viewer'))`);
    await q.query(`
      CREATE TABLE gateway.login_failures (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE gateway.login_failures');
    await q.query('ALTER TABLE gateway.api_clients DROP COLUMN role');
    await q.query('DROP INDEX gateway.users_username_lower');
    await q.query('ALTER TABLE gateway.users ADD CONSTRAINT users_username_key UNIQUE (username)');
    await q.query('ALTER TABLE gateway.users ADD COLUMN is_admin boolean NOT NULL DEFAULT false');
    await q.query(`UPDATE gateway.users SET is_admin = (role = 'admin')`);
    await q.query('ALTER TABLE gateway.users DROP COLUMN role, DROP COLUMN disabled');
  }
}
