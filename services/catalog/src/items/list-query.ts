import {
  DomainError,
  INT_MAX,
  INT_MIN,
  parseDateInput,
  type ListQuery,
  type WhereClause,
} from '@switchboard/contracts';
import type { DataSource } from 'typeorm';
import { SqlParams } from './sql';

export type ColumnType = 'int' | 'text' | 'bool' | 'date';
export interface Column {
  sql: string;
  type: ColumnType;
}
/** Output field name → SQL expression; what `orderBy`, `where[][col]` and `search` may use. */
export type Columns = Record<string, Column>;

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

const PG_ARRAY: Record<ColumnType, string> = { int: 'int[]', text: 'text[]', bool: 'boolean[]', date: 'timestamptz[]' };

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

/** `m.name`, `name`, `NAME`, `date_added` → the output field, or undefined. */
export function resolveColumn(columns: Columns, name: string): Column | undefined {
  const bare = name.trim().replace(/^[a-z]{1,3}\./i, '');
  if (columns[bare]) return columns[bare];
  const camel = bare.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()).toLowerCase();
  const key = Object.keys(columns).find((k) => k.toLowerCase() === camel);
  return key ? columns[key] : undefined;
}

function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function coerce(column: Column, value: unknown, field: string): unknown {
  if (value === null || typeof value === 'object') throw invalid(field, 'A scalar value is required.');
  const text = String(value).trim();
  switch (column.type) {
    case 'int':
      if (!/^-?\d{1,10}$/.test(text)) throw invalid(field, 'This value should be an integer.');
      if (Number(text) > INT_MAX || Number(text) < INT_MIN) throw invalid(field, 'This value is out of range.');
      return Number(text);
    case 'bool':
      if (['1', 'true', 'yes'].includes(text.toLowerCase())) return true;
      if (['0', 'false', 'no', ''].includes(text.toLowerCase())) return false;
      throw invalid(field, 'This value should be a boolean.');
    case 'date': {
      const iso = parseDateInput(text);
      if (!iso) throw invalid(field, 'Please enter a valid date (ISO 8601 or yyyy-MM-dd HH:mm).');
      return iso;
    }
    case 'text':
      return String(value);
  }
}

function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string')
    return value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  if (value && typeof value === 'object') return Object.values(value);
  return value === undefined ? [] : [value];
}

function clauseSql(spec: ListSpec, clause: WhereClause, params: SqlParams, field: string, depth = 0): string {
  if (depth > 5) throw invalid(field, 'Nested too deeply.');
  if (clause.expr === 'andX' || clause.expr === 'orX') {
    const parts = listOf(clause.val).map((sub, i) => {
      if (!sub || typeof sub !== 'object' || typeof (sub as WhereClause).expr !== 'string')
        throw invalid(`${field}.val.${i}`, 'A clause needs col, expr and val.');
      return clauseSql(spec, sub as WhereClause, params, `${field}.val.${i}`, depth + 1);
    });
    if (parts.length === 0) return 'true';
    return `(${parts.join(clause.expr === 'andX' ? ' AND ' : ' OR ')})`;
  }
  if (!clause.col) throw invalid(`${field}.col`, 'A column is required.');
  const column = resolveColumn(spec.columns, clause.col);
  if (!column) throw invalid(`${field}.col`, `Unknown column "${clause.col}".`);
  const col = column.sql;
  const one = () => params.add(coerce(column, clause.val, `${field}.val`));
  switch (clause.expr) {
    case 'eq':
      return `${col} = ${one()}`;
    case 'neq':
      return `${col} <> ${one()}`;
    case 'lt':
      return `${col} < ${one()}`;
    case 'lte':
      return `${col} <= ${one()}`;
    case 'gt':
      return `${col} > ${one()}`;
    case 'gte':
      return `${col} >= ${one()}`;
    case 'like':
      return `${col}::text ILIKE ${params.add(String(clause.val ?? ''))}`;
    case 'notLike':
      return `${col}::text NOT ILIKE ${params.add(String(clause.val ?? ''))}`;
    case 'in':
    case 'notIn': {
      const values = listOf(clause.val).map((v, i) => coerce(column, v, `${field}.val.${i}`));
      const any = `${col} = ANY(${params.add(values)}::${PG_ARRAY[column.type]})`;
      return clause.expr === 'in' ? any : `NOT (${any})`;
    }
    case 'between':
    case 'notBetween': {
      const values = listOf(clause.val);
      if (values.length !== 2) throw invalid(`${field}.val`, 'Two values are required.');
      const [from, to] = values.map((v, i) => params.add(coerce(column, v, `${field}.val.${i}`)));
      return `${col} ${clause.expr === 'between' ? '' : 'NOT '}BETWEEN ${from} AND ${to}`;
    }
    case 'isNull':
      return `${col} IS NULL`;
    case 'isNotNull':
      return `${col} IS NOT NULL`;
    case 'isEmpty':
      return column.type === 'text' ? `(${col} IS NULL OR ${col} = '')` : `${col} IS NULL`;
    case 'isNotEmpty':
      return column.type === 'text' ? `(${col} IS NOT NULL AND ${col} <> '')` : `${col} IS NOT NULL`;
    default:
      throw invalid(`${field}.expr`, `Unknown expression "${clause.expr}".`);
  }
}

function searchSql(spec: ListSpec, search: string, params: SqlParams): string | undefined {
  const term = search.trim();
  if (!term) return undefined;
  const ids = /^ids:(.*)$/i.exec(term);
  if (ids) {
    const values = ids[1]
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '')
      .map((v) => {
        const id = /^\d{1,10}$/.test(v) ? Number(v) : NaN;
        if (!(id <= INT_MAX)) throw invalid('search', `ids are integers up to ${INT_MAX}: "${v.slice(0, 20)}" is not.`);
        return id;
      });
    return `${spec.columns.id.sql} = ANY(${params.add(values)}::int[])`;
  }
  if (/^is:published$/i.test(term)) return spec.publishedSql;
  if (/^is:unpublished$/i.test(term)) return `NOT (${spec.publishedSql})`;
  const negate = term.startsWith('!');
  const text = negate ? term.slice(1).trim() : term;
  if (!text) return undefined;
  const like = params.add(`%${escapeLike(text)}%`);
  return negate ? `${spec.searchColumn.sql} NOT ILIKE ${like}` : `${spec.searchColumn.sql} ILIKE ${like}`;
}

/** Mautic's list parameters → SQL pieces (unknown columns and bad values are 400s, never 500s). */
export function buildListSql(spec: ListSpec, query: ListQuery, params = new SqlParams()): ListSql {
  const conditions: string[] = [];
  if (query.search) {
    const sql = searchSql(spec, query.search, params);
    if (sql) conditions.push(sql);
  }
  if (query.published || query.publishedOnly) conditions.push(spec.publishedSql);
  (query.where ?? []).forEach((clause, i) => conditions.push(clauseSql(spec, clause, params, `where.${i}`)));
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
  const rows: (R & { total: string })[] = await ds.query(
    `${select}, count(*) OVER() AS total ${from} WHERE ${where} ORDER BY ${sql.orderBy}${page}`,
    sql.params.values,
  );
  if (rows.length > 0 || sql.offset === 0) return { rows, total: rows.length ? Number(rows[0].total) : 0 };
  const [count] = (await ds.query(`SELECT count(*) AS total ${from} WHERE ${where}`, filterValues)) as {
    total: string;
  }[];
  return { rows, total: Number(count.total) };
}
