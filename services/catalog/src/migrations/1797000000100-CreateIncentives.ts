import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT } from './1767100000100-CreateCatalog';

export class CreateIncentives1797000000100 implements MigrationInterface {
  name = 'CreateIncentives1797000000100';

  async up(q: QueryRunner): Promise<void> {
    // Coupon pools (DESIGN §7.2 incentives). Content names its pool in contents.fields->'incentiveId'.
    await q.query(`
      CREATE TABLE catalog.incentives (
        id serial PRIMARY KEY,
        name text NOT NULL,
        description text,
        expires_at timestamptz,
        ${AUDIT}
      )`);
    await q.query(`
      CREATE TABLE catalog.incentive_codes (
        id bigserial PRIMARY KEY,
        incentive_id int NOT NULL REFERENCES catalog.incentives (id) ON DELETE CASCADE,
        code text NOT NULL,
        issued_at timestamptz,
        UNIQUE (incentive_id, code)
      )`);
    // The claim takes the lowest free code of a pool: this index holds only the free ones.
    await q.query(
      'CREATE INDEX incentive_codes_free ON catalog.incentive_codes (incentive_id, id) WHERE issued_at IS NULL',
    );
    // One code per (pool, send), one send per code: the keys that make a claim idempotent and exclusive.
    await q.query(`
      CREATE TABLE catalog.incentive_issues (
        incentive_id int NOT NULL REFERENCES catalog.incentives (id) ON DELETE CASCADE,
        send_id text NOT NULL,
        code_id bigint NOT NULL UNIQUE REFERENCES catalog.incentive_codes (id) ON DELETE CASCADE,
        issued_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incentive_id, send_id)
      )`);
    await q.query(
      `CREATE INDEX contents_incentive_id ON catalog.contents (((fields->>'incentiveId')::int)) WHERE fields ? 'incentiveId'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX catalog.contents_incentive_id');
    await q.query('DROP TABLE catalog.incentive_issues');
    await q.query('DROP TABLE catalog.incentive_codes');
    await q.query('DROP TABLE catalog.incentives');
  }
}
