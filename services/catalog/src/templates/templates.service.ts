import { Injectable } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  parseOrThrow,
  TemplateCreateSchema,
  TemplateInputSchema,
  type Actor,
  type CatalogChanged,
  type ListQuery,
} from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { CatalogChangesPublisher } from '../changes/catalog-changes.publisher';
import { liquidErrors } from '../content/liquid-check';
import type { Item, ItemService, SaveMode } from '../items/item-service';
import { auditColumns, buildListSql, fitReply, selectPage, type Columns, type ListSpec } from '../items/list-query';
import { auditSelect, auditView, categorySelect, PG, pgCode, type AuditRow, type CategoryRef } from '../items/sql';

interface TemplateRow extends AuditRow {
  name: string;
  description: string | null;
  html: string;
  categoryId: number | null;
  category: CategoryRef | null;
}

const COLUMNS: Columns = {
  ...auditColumns('t'),
  name: { sql: 't.name', type: 'text' },
  description: { sql: 't.description', type: 'text' },
  category: { sql: 't.category_id', type: 'int' },
};
const SPEC: ListSpec = { columns: COLUMNS, searchColumn: COLUMNS.name, publishedSql: 't.is_published' };
const FROM = 'FROM catalog.templates t LEFT JOIN catalog.categories cat ON cat.id = t.category_id';
const SELECT = `SELECT ${auditSelect('t')}, t.name, t.description, t.html, t.category_id AS "categoryId", ${categorySelect('cat')}`;

function view(row: TemplateRow): Item {
  return {
    ...auditView(row),
    id: row.id,
    name: row.name,
    description: row.description,
    html: row.html,
    category: row.category,
  };
}

/** Email layouts (`/api/templates`): name, description, html with one `{{ content }}` slot, category. */
@Injectable()
export class TemplatesService implements ItemService {
  constructor(
    private readonly ds: DataSource,
    private readonly changes: CatalogChangesPublisher,
  ) {}

  async get(id: number): Promise<Item> {
    const rows: TemplateRow[] = await this.ds.query(`${SELECT} ${FROM} WHERE t.id = $1`, [id]);
    if (!rows[0]) throw DomainError.notFound();
    return view(rows[0]);
  }

  async list(query: ListQuery): Promise<{ total: number; items: Item[]; next?: number }> {
    const { rows, total } = await selectPage<TemplateRow>(this.ds, buildListSql(SPEC, query), SELECT, FROM);
    const items = rows.map((row) =>
      query.minimal ? { ...auditView(row), id: row.id, name: row.name, description: row.description } : view(row),
    );
    return { total, ...fitReply(items, query.start ?? 0) };
  }

  async save(
    mode: SaveMode,
    id: number | undefined,
    raw: Record<string, unknown>,
    actor: Actor,
    sink?: CatalogChanged[],
  ): Promise<{ item: Item; created: boolean }> {
    const input = parseOrThrow(mode === 'patch' ? TemplateInputSchema : TemplateCreateSchema, raw);
    const errors = liquidErrors(input, ['html']);
    if (Object.keys(errors).length) throw DomainError.validation(errors);
    let saved: { id: number; version: number; created: boolean };
    try {
      saved = await this.ds.transaction(async (em) => {
        const current = mode !== 'create' && id !== undefined ? await this.lock(em, id) : undefined;
        if (mode === 'patch' && !current) throw DomainError.notFound();
        const keep = mode === 'patch' ? current : undefined;
        const pick = <K extends 'name' | 'description' | 'html' | 'isPublished' | 'categoryId'>(
          key: K,
          value: TemplateRow[K] | undefined,
          fallback: TemplateRow[K],
        ) => (value !== undefined ? value : keep ? keep[key] : fallback);
        const values = [
          pick('name', input.name, ''),
          pick('description', input.description, null),
          pick('html', input.html, ''),
          pick('isPublished', input.isPublished, true),
          pick('categoryId', input.category, null),
          actor.id,
          actor.name,
        ];
        const [row] = current
          ? (
              (await em.query(
                `UPDATE catalog.templates SET name = $2, description = $3, html = $4, is_published = $5, category_id = $6,
                      modified_by = $7, modified_by_user = $8, date_modified = now(), version = version + 1 WHERE id = $1 RETURNING id, version`,
                [current.id, ...values],
              )) as [{ id: number; version: number }[], number]
            )[0]
          : ((await em.query(
              `INSERT INTO catalog.templates (name, description, html, is_published, category_id, created_by, created_by_user)
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, version`,
              values,
            )) as { id: number; version: number }[]);
        return { ...row, created: !current };
      });
    } catch (error) {
      if (pgCode(error) === PG.foreignKeyViolation) throw DomainError.validation({ category: ['Category not found.'] });
      throw error;
    }
    // Senders drop the emails they cached on a template change, so the next send has the new layout.
    await this.changes.changed([{ kind: 'template', id: saved.id, version: saved.version }], sink);
    return { item: await this.get(saved.id), created: saved.created };
  }

  /** Refused (409) while an email lays itself out in the template. */
  async delete(id: number, sink?: CatalogChanged[]): Promise<Item> {
    const deleted = await this.ds.transaction(async (em) => {
      const current = await this.lock(em, id);
      if (!current) throw DomainError.notFound();
      const users: { id: number }[] = await em.query(
        `SELECT id FROM catalog.contents WHERE type = 'email' AND (fields->>'templateId')::int = $1 ORDER BY id LIMIT 11`,
        [id],
      );
      if (users.length) {
        const ids = users
          .slice(0, 10)
          .map((u) => u.id)
          .join(', ');
        throw new DomainError(
          ErrorCode.Conflict,
          `The template is used by emails ${ids}${users.length > 10 ? ' and more' : ''}.`,
        );
      }
      await em.query('DELETE FROM catalog.templates WHERE id = $1', [id]);
      return current;
    });
    await this.changes.changed([{ kind: 'template', id, version: deleted.version + 1 }], sink);
    return { ...view(deleted), id: null };
  }

  /** The layout of a template (for the emails that name it); undefined when there is none with this id. */
  async layoutOf(id: number): Promise<string | undefined> {
    const rows: { html: string }[] = await this.ds.query('SELECT html FROM catalog.templates WHERE id = $1', [id]);
    return rows[0]?.html;
  }

  /** Whether the template exists, kept so until `em` commits (a delete waits, then finds the email using it). */
  async holdForUse(em: EntityManager, id: number): Promise<boolean> {
    const rows: unknown[] = await em.query('SELECT 1 FROM catalog.templates WHERE id = $1 FOR SHARE', [id]);
    return rows.length > 0;
  }

  private async lock(em: EntityManager, id: number): Promise<TemplateRow | undefined> {
    const rows: TemplateRow[] = await em.query(`${SELECT} ${FROM} WHERE t.id = $1 FOR UPDATE OF t`, [id]);
    return rows[0];
  }
}
