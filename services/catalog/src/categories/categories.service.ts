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
import { CatalogChangesPublisher } from '../changes/catalog-changes.publisher';
import type { Item, ItemService, SaveMode } from '../items/item-service';
import { fitReply } from '../items/list-query';
import { auditView } from '../items/sql';
import { CategoriesRepository, type CategoryFields } from './categories.repository';
import type { CategoryEntity } from './category.entity';

function view(row: CategoryEntity): Item {
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
    private readonly categories: CategoriesRepository,
    private readonly changes: CatalogChangesPublisher,
  ) {}

  async get(id: number): Promise<Item> {
    const row = await this.categories.find(id);
    if (!row) throw DomainError.notFound();
    return view(row);
  }

  async list(query: ListQuery): Promise<{ total: number; items: Item[]; next?: number }> {
    const { rows, total } = await this.categories.page(query);
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
    const author = { id: actor.id, name: actor.name };
    const saved = await this.categories.locked(mode === 'create' ? undefined : id, async (current, em) => {
      if (mode === 'patch' && !current) throw DomainError.notFound();
      const keep = mode === 'patch' ? current : null;
      const title = input.title ?? keep?.title ?? '';
      const next: CategoryFields = {
        title,
        alias: input.alias !== undefined ? input.alias : (keep?.alias ?? null),
        description: input.description !== undefined ? input.description : (keep?.description ?? null),
        color: input.color !== undefined ? input.color : (keep?.color ?? null),
        bundle: input.bundle ?? keep?.bundle ?? 'global',
        isPublished: input.isPublished ?? keep?.isPublished ?? true,
      };
      next.alias ??= slugify(title);
      if (next.color && !next.color.startsWith('#')) next.color = `#${next.color}`;
      const row = current
        ? await this.categories.update(em, current, next, author)
        : await this.categories.insert(em, next, author);
      return { row, created: !current };
    });
    await this.changes.changed([{ kind: 'category', id: saved.row.id, version: saved.row.version }], sink);
    return { item: await this.get(saved.row.id), created: saved.created };
  }

  async delete(id: number, sink?: CatalogChanged[]): Promise<Item> {
    const item = await this.get(id);
    const version = await this.categories.delete(id);
    if (version === null) throw DomainError.notFound();
    await this.changes.changed([{ kind: 'category', id, version: version + 1 }], sink);
    return { ...item, id: null };
  }
}
