import { Injectable } from '@nestjs/common';
import type { ListQuery } from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { auditColumns, buildListSql, selectPage, type Columns, type ListSpec } from '../items/list-query';
import { auditSelect, categorySelect, type AuditRow, type CategoryRef, type SavedRow } from '../items/sql';
import { execute, returning } from '@switchboard/persistence';

export interface TemplateRow extends AuditRow {
  name: string;
  description: string | null;
  html: string;
  categoryId: number | null;
  category: CategoryRef | null;
}

export type TemplateFields = Pick<TemplateRow, 'name' | 'description' | 'html' | 'isPublished' | 'categoryId'>;

const COLUMNS: Columns = {
  ...auditColumns('t'),
  name: { sql: 't.name', type: 'text' },
  description: { sql: 't.description', type: 'text' },
  category: { sql: 't.category_id', type: 'int' },
};
const SPEC: ListSpec = { columns: COLUMNS, searchColumn: COLUMNS.name, publishedSql: 't.is_published' };
const FROM = 'FROM catalog.templates t LEFT JOIN catalog.categories cat ON cat.id = t.category_id';
const SELECT = `SELECT ${auditSelect('t')}, t.name, t.description, t.html, t.category_id AS "categoryId", ${categorySelect('cat')}`;

/** catalog.templates, with each template's category joined in. */
interface IdRow {
  id: number;
}
interface LayoutRow {
  html: string;
}
interface EmailFieldsRow {
  id: number;
  fields: Record<string, unknown>;
}
interface ExistsRow {
  one: number;
}

@Injectable()
export class TemplatesRepository {
  constructor(private readonly ds: DataSource) {}

  async find(id: number, em: EntityManager = this.ds.manager): Promise<TemplateRow | undefined> {
    const rows = await em.query<TemplateRow[]>(`${SELECT} ${FROM} WHERE t.id = $1`, [id]);
    return rows[0];
  }

  page(query: ListQuery): Promise<{ rows: TemplateRow[]; total: number }> {
    return selectPage<TemplateRow>(this.ds, buildListSql(SPEC, query), SELECT, FROM);
  }

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  /** The row, held for update until `em` commits. */
  async lock(em: EntityManager, id: number): Promise<TemplateRow | undefined> {
    const rows = await em.query<TemplateRow[]>(`${SELECT} ${FROM} WHERE t.id = $1 FOR UPDATE OF t`, [id]);
    return rows[0];
  }

  async insert(
    em: EntityManager,
    fields: TemplateFields,
    authorId: number | null,
    author: string | null,
  ): Promise<SavedRow> {
    const rows = await em.query<SavedRow[]>(
      `INSERT INTO catalog.templates (name, description, html, is_published, category_id, created_by, created_by_user)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, version`,
      [fields.name, fields.description, fields.html, fields.isPublished, fields.categoryId, authorId, author],
    );
    return rows[0];
  }

  async update(
    em: EntityManager,
    id: number,
    fields: TemplateFields,
    authorId: number | null,
    author: string | null,
  ): Promise<SavedRow> {
    const rows = await returning<SavedRow>(
      em,
      `UPDATE catalog.templates SET name = $2, description = $3, html = $4, is_published = $5, category_id = $6,
            modified_by = $7, modified_by_user = $8, date_modified = now(), version = version + 1 WHERE id = $1 RETURNING id, version`,
      [id, fields.name, fields.description, fields.html, fields.isPublished, fields.categoryId, authorId, author],
    );
    return rows[0];
  }

  /** Up to `limit` ids of the emails that lay themselves out in the template. */
  async emailsUsing(em: EntityManager, id: number, limit: number): Promise<number[]> {
    const rows = await em.query<IdRow[]>(
      `SELECT id FROM catalog.contents WHERE type = 'email' AND (fields->>'templateId')::int = $1 ORDER BY id LIMIT $2`,
      [id, limit],
    );
    return rows.map((r) => r.id);
  }

  /** The published emails laid out in the template, with their fields. */
  publishedEmailsUsing(em: EntityManager, id: number): Promise<EmailFieldsRow[]> {
    return em.query<EmailFieldsRow[]>(
      `SELECT id, fields FROM catalog.contents
        WHERE type = 'email' AND is_published AND (fields->>'templateId')::int = $1 ORDER BY id`,
      [id],
    );
  }

  async delete(em: EntityManager, id: number): Promise<void> {
    await execute(em, 'DELETE FROM catalog.templates WHERE id = $1', [id]);
  }

  async layoutOf(id: number): Promise<string | undefined> {
    const rows = await this.ds.query<LayoutRow[]>('SELECT html FROM catalog.templates WHERE id = $1', [id]);
    return rows[0]?.html;
  }

  /** Whether the template exists, kept so until `em` commits (a delete waits, then finds the email using it). */
  async holdForUse(em: EntityManager, id: number): Promise<boolean> {
    const rows = await em.query<ExistsRow[]>('SELECT 1 AS one FROM catalog.templates WHERE id = $1 FOR SHARE', [id]);
    return rows.length > 0;
  }
}
