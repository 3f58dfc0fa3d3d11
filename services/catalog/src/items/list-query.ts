import { DomainError, type ListQuery } from '@switchboard/contracts';
import {
  isIntId,
  parseSearch,
  resolveColumn,
  whereSql,
  type Column,
  type Columns,
  SqlParams,
} from '@switchboard/persistence';
import type { DataSource } from 'typeorm';

export type { Column, Columns, ColumnType } from '@switchboard/persistence';

/** The columns of the audit fields every catalog table has (auditSelect), under the table's alias. */
export function auditColumns(alias: string): Columns {
  return {
    id: { sql: `${alias}.id`, type: 'int' },
    isPublished: { sql: `${alias}.is_published`, type: 'bool' },
    dateAdded: { sql: `${alias}.date_added`, type: 'date' },
    dateModified: { sql: `${alias}.date_modified`, type: 'date' },
    createdBy: { sql: `${alias}.created_by`, type: 'int' },
    createdByUser: { sql: `${alias}.created_by_user`, type: 'text' },
    modifiedBy: { sql: `${alias}.modified_by`, type: 'int' },
    modifiedByUser: { sql: `${alias}.modified_by_user`, type: 'text' },
  };
}

export interface ListSpec {
  columns: Columns;
  /** The column `search` matches by substring. */
  searchColumn: Column;
  /** SQL that is true for an item published now. */
  publishedSql: string;
}

export interface ListSql {
  where: string;
  params: SqlParams;
  orderBy: string;
  offset: number;
  /** undefined = all. */
  limit?: number;
}

function invalid(field: string, message: string): DomainError {
  return DomainError.validation({ [field]: [message] });
}

function searchSql(spec: ListSpec, search: string, params: SqlParams): string | undefined {
  if (/^is:published$/i.test(search.trim())) return spec.publishedSql;
  if (/^is:unpublished$/i.test(search.trim())) return `NOT (${spec.publishedSql})`;
  const term = parseSearch(search, isIntId);
  if (!term) return undefined;
  if ('ids' in term) return `${spec.columns.id.sql} = ANY(${params.add(term.ids.map(Number))}::int[])`;
  const like = params.add(term.like);
  return term.negate ? `${spec.searchColumn.sql} NOT ILIKE ${like}` : `${spec.searchColumn.sql} ILIKE ${like}`;
}

/** Mautic's list parameters → SQL pieces (unknown columns and bad values are 400s, never 500s). */
export function buildListSql(spec: ListSpec, query: ListQuery, params = new SqlParams()): ListSql {
  const conditions: string[] = [];
  if (query.search) {
    const sql = searchSql(spec, query.search, params);
    if (sql) conditions.push(sql);
  }
  if (query.published || query.publishedOnly) conditions.push(spec.publishedSql);
  conditions.push(...whereSql(spec.columns, query.where, params));
  let orderBy = `${spec.columns.id.sql} ASC`;
  const dir = query.orderByDir === 'desc' ? 'DESC' : 'ASC';
  if (query.orderBy) {
    const column = resolveColumn(spec.columns, query.orderBy);
    if (!column) throw invalid('orderBy', `Unknown column "${query.orderBy}".`);
    // Text sorts case-insensitively (as Mautic's MySQL collation does) and the same on every database collation.
    const key = column.type === 'text' ? `lower(${column.sql}) COLLATE "C"` : column.sql;
    orderBy = column === spec.columns.id ? `${key} ${dir}` : `${key} ${dir} NULLS LAST, ${spec.columns.id.sql} ${dir}`;
  } else if (query.orderByDir) {
    orderBy = `${spec.columns.id.sql} ${dir}`;
  }
  const limit = query.limit ?? 30;
  return {
    where: conditions.length ? conditions.join(' AND ') : 'true',
    params,
    orderBy,
    offset: query.start ?? 0,
    limit: limit === 0 ? undefined : limit,
  };
}

/** A filter's match count (bigint, so a string), on every row of a page or alone. */
interface TotalRow {
  total: string;
}

/** Keys a list reply may carry (NATS's payload limit is 1 MB by default). */
export const LIST_REPLY_BUDGET_BYTES = 800_000;

/** Takes items while they fit the reply budget; `next` = where the rest starts. */
export function fitReply<T>(items: T[], start: number): { items: T[]; next?: number } {
  let bytes = 0;
  for (let i = 0; i < items.length; i++) {
    bytes += JSON.stringify(items[i]).length;
    if (bytes > LIST_REPLY_BUDGET_BYTES && i > 0) return { items: items.slice(0, i), next: start + i };
  }
  return { items };
}

/**
 * One page of `<select> <from> WHERE <where>` in the list's order, and the total its filter
 * matches: counted by the same statement, or by a second, cheap one for a page past the end.
 */
export async function selectPage<R>(
  ds: DataSource,
  sql: ListSql,
  select: string,
  from: string,
  where = sql.where,
): Promise<{ rows: R[]; total: number }> {
  const filterValues = [...sql.params.values];
  const page = `${sql.limit === undefined ? '' : ` LIMIT ${sql.params.add(sql.limit)}`} OFFSET ${sql.params.add(sql.offset)}`;
  const rows = await ds.query<(R & TotalRow)[]>(
    `${select}, count(*) OVER() AS total ${from} WHERE ${where} ORDER BY ${sql.orderBy}${page}`,
    sql.params.values,
  );
  if (rows.length > 0 || sql.offset === 0) return { rows, total: rows.length ? Number(rows[0].total) : 0 };
  const [count] = await ds.query<TotalRow[]>(`SELECT count(*) AS total ${from} WHERE ${where}`, filterValues);
  return { rows, total: Number(count.total) };
}
