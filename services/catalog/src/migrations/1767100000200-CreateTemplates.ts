import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT } from './1767100000100-CreateCatalog';

export class CreateTemplates1767100000200 implements MigrationInterface {
  name = 'CreateTemplates1767100000200';

  async up(q: QueryRunner): Promise<void> {
    // Email layouts (DESIGN §7.4). Emails name theirs in contents.fields->'templateId'.
    await q.query(`
      CREATE TABLE catalog.templates (
        id serial PRIMARY KEY,
        name text NOT NULL,
        description text,
        html text NOT NULL,
        category_id int REFERENCES catalog.categories (id) ON DELETE SET NULL,
        ${AUDIT}
      )`);
    await q.query(
      `CREATE INDEX contents_template_id ON catalog.contents (((fields->>'templateId')::int)) WHERE type = 'email'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX catalog.contents_template_id');
    await q.query('DROP TABLE catalog.templates');
  }
}
