import { Injectable } from '@nestjs/common';
import {
  CategoryCreateSchema,
  CategoryInputSchema,
  DomainError,
  parseOrThrow,
  type Actor,
  type CatalogChanged,
  type ListQuery,
} from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { CatalogChangesPublisher } from '../changes/catalog-changes.publisher';
import type { Item, ItemService, SaveMode } from '../items/item-service';
import { auditColumns, buildListSql, fitReply, selectPage, type Columns, type ListSpec } from '../items/list-query';
import { auditSelect, auditView, type AuditRow } from '../items/sql';

interface CategoryRow extends AuditRow {
  title: string;
  alias: string | null;
  description: string | null;
  color: string | null;
  bundle: string;
}

const COLUMNS: Columns = {
  ...auditColumns('c'),
  title: { sql: 'c.title', type: 'text' },
  alias: { sql: 'c.alias', type: 'text' },
  description: { sql: 'c.description', type: 'text' },
  color: { sql: 'c.color', type: 'text' },
  bundle: { sql: 'c.bundle', type: 'text' },
};
const SPEC: ListSpec = { columns: COLUMNS, searchColumn: COLUMNS.title, publishedSql: 'c.is_published' };
const SELECT = `SELECT ${auditSelect('c')}, c.title, c.alias, c.description, c.color, c.bundle`;

function view(row: CategoryRow): Item {
  return {
    ...auditView(row),
    id: row.id,
    title: row.title,
    alias: row.alias,
    description: row.description,
    color: row.color,
    bundle: row.bundle,
  };
}

export function slugify(title: string): string {
  return (
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 191) || 'category'
  );
}

/** Categories (Mautic's `/api/categories`): title, alias, description, color, bundle. */
@Injectable()
export class CategoriesService implements ItemService {
  constructor(
    private readonly ds: DataSource,
    private readonly changes: CatalogChangesPublisher,
  ) {}

  async get(id: number): Promise<Item> {
    const rows: CategoryRow[] = await this.ds.query(`${SELECT} FROM catalog.categories c WHERE c.id = $1`, [id]);
    if (!rows[0]) throw DomainError.notFound();
    return view(rows[0]);
  }

  async list(query: ListQuery): Promise<{ total: number; items: Item[]; next?: number }> {
    const { rows, total } = await selectPage<CategoryRow>(
      this.ds,
      buildListSql(SPEC, query),
      SELECT,
      'FROM catalog.categories c',
    );
    return { total, ...fitReply(rows.map(view), query.start ?? 0) };
  }

  async save(
    mode: SaveMode,
    id: number | undefined,
    raw: Record<string, unknown>,
    actor: Actor,
    sink?: CatalogChanged[],
  ): Promise<{ item: Item; created: boolean }> {
    const input = parseOrThrow(mode === 'patch' ? CategoryInputSchema : CategoryCreateSchema, raw);
    const saved = await this.ds.transaction(async (em) => {
      const current: CategoryRow | undefined =
        mode !== 'create' && id !== undefined
          ? (
              (await em.query(`${SELECT} FROM catalog.categories c WHERE c.id = $1 FOR UPDATE`, [id])) as CategoryRow[]
            )[0]
          : undefined;
      if (mode === 'patch' && !current) throw DomainError.notFound();
      const keep = mode === 'patch' ? current : undefined;
      const title = input.title ?? keep?.title ?? '';
      const next = {
        title,
        alias: input.alias !== undefined ? input.alias : (keep?.alias ?? null),
        description: input.description !== undefined ? input.description : (keep?.description ?? null),
        color: input.color !== undefined ? input.color : (keep?.color ?? null),
        bundle: input.bundle ?? keep?.bundle ?? 'global',
        isPublished: input.isPublished ?? keep?.isPublished ?? true,
      };
      next.alias ??= slugify(title);
      if (next.color && !next.color.startsWith('#')) next.color = `#${next.color}`;
      const values = [
        next.title,
        next.alias,
        next.description,
        next.color,
        next.bundle,
        next.isPublished,
        actor.id,
        actor.name,
      ];
      const [row] = current
        ? (
            (await em.query(
              `UPDATE catalog.categories SET title = $2, alias = $3, description = $4, color = $5, bundle = $6, is_published = $7,
                    modified_by = $8, modified_by_user = $9, date_modified = now(), version = version + 1 WHERE id = $1 RETURNING id, version`,
              [current.id, ...values],
            )) as [{ id: number; version: number }[], number]
          )[0]
        : ((await em.query(
            `INSERT INTO catalog.categories (title, alias, description, color, bundle, is_published, created_by, created_by_user)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, version`,
            values,
          )) as { id: number; version: number }[]);
      return { ...row, created: !current };
    });
    await this.changes.changed([{ kind: 'category', id: saved.id, version: saved.version }], sink);
    return { item: await this.get(saved.id), created: saved.created };
  }

  async delete(id: number, sink?: CatalogChanged[]): Promise<Item> {
    const item = await this.get(id);
    const [rows] = (await this.ds.query('DELETE FROM catalog.categories WHERE id = $1 RETURNING version', [id])) as [
      { version: number }[],
      number,
    ];
    if (!rows[0]) throw DomainError.notFound();
    await this.changes.changed([{ kind: 'category', id, version: rows[0].version + 1 }], sink);
    return { ...item, id: null };
  }
}
