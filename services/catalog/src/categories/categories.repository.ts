import { Injectable } from '@nestjs/common';
import type { ListQuery } from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { auditColumns, buildListSql, selectPage, type Columns, type ListSpec } from '../items/list-query';
import { auditSelect } from '../items/sql';
import { CategoryEntity } from './category.entity';

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

export type CategoryFields = Pick<
  CategoryEntity,
  'title' | 'alias' | 'description' | 'color' | 'bundle' | 'isPublished'
>;
export interface Author {
  id: number | null;
  name: string | null;
}

/** catalog.categories: CRUD through the entity; the Mautic list (search, where, order) in SQL. */
@Injectable()
export class CategoriesRepository {
  constructor(private readonly ds: DataSource) {}

  find(id: number): Promise<CategoryEntity | null> {
    return this.ds.getRepository(CategoryEntity).findOneBy({ id });
  }

  async page(query: ListQuery): Promise<{ rows: CategoryEntity[]; total: number }> {
    return selectPage<CategoryEntity>(this.ds, buildListSql(SPEC, query), SELECT, 'FROM catalog.categories c');
  }

  /** Runs `work` in a transaction holding the row (when it exists) for update. */
  locked<T>(
    id: number | undefined,
    work: (current: CategoryEntity | null, em: EntityManager) => Promise<T>,
  ): Promise<T> {
    return this.ds.transaction(async (em) => {
      const current =
        id === undefined
          ? null
          : await em.getRepository(CategoryEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      return work(current, em);
    });
  }

  async insert(em: EntityManager, fields: CategoryFields, author: Author): Promise<CategoryEntity> {
    const repo = em.getRepository(CategoryEntity);
    return repo.save(repo.create({ ...fields, createdBy: author.id, createdByUser: author.name }));
  }

  async update(
    em: EntityManager,
    current: CategoryEntity,
    fields: CategoryFields,
    author: Author,
  ): Promise<CategoryEntity> {
    const changes = {
      ...fields,
      modifiedBy: author.id,
      modifiedByUser: author.name,
      dateModified: new Date(),
      version: current.version + 1,
    };
    await em.getRepository(CategoryEntity).update({ id: current.id }, changes);
    return { ...current, ...changes };
  }

  /** The deleted row's version, or null when there was none. */
  async delete(id: number): Promise<number | null> {
    const result = await this.ds
      .createQueryBuilder()
      .delete()
      .from(CategoryEntity)
      .where('id = :id', { id })
      .returning(['version'])
      .execute();
    const rows = result.raw as Pick<CategoryEntity, 'version'>[];
    return rows[0]?.version ?? null;
  }
}
