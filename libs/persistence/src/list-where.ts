import { DomainError, INT_MAX, INT_MIN, parseDateInput, type WhereClause } from '@switchboard/contracts';

/**
 * Mautic's `where[i][col|expr|val]` list parameter compiled to SQL over a fixed set of columns:
 * a column name only picks a known SQL expression, every value is a bound parameter, and an
 * unknown column, expression or bad value is a 400 naming the clause. Catalog and preferences
 * (segments) lists share it.
 */
export type ColumnType = 'int' | 'text' | 'bool' | 'date';
export interface Column {
  sql: string;
  type: ColumnType;
}
/** Output field name → SQL expression; what `orderBy`, `where[][col]` and `search` may use. */
export type Columns = Record<string, Column>;

/** Where a statement's positional parameters go: `add` returns the placeholder (`$3`). */
export interface ParamSink {
  add(value: unknown): string;
}

const PG_ARRAY: Record<ColumnType, string> = { int: 'int[]', text: 'text[]', bool: 'boolean[]', date: 'timestamptz[]' };

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

/** One clause (`andX` / `orX` nest up to 5 deep); `field` names it in errors (`where.0`). */
export function whereClauseSql(
  columns: Columns,
  clause: WhereClause,
  params: ParamSink,
  field: string,
  depth = 0,
): string {
  if (depth > 5) throw invalid(field, 'Nested too deeply.');
  if (clause.expr === 'andX' || clause.expr === 'orX') {
    const parts = listOf(clause.val).map((sub, i) => {
      if (!sub || typeof sub !== 'object' || typeof (sub as WhereClause).expr !== 'string')
        throw invalid(`${field}.val.${i}`, 'A clause needs col, expr and val.');
      return whereClauseSql(columns, sub as WhereClause, params, `${field}.val.${i}`, depth + 1);
    });
    if (parts.length === 0) return 'true';
    return `(${parts.join(clause.expr === 'andX' ? ' AND ' : ' OR ')})`;
  }
  if (!clause.col) throw invalid(`${field}.col`, 'A column is required.');
  const column = resolveColumn(columns, clause.col);
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

/** Every clause of `where`, each a condition to AND. */
export function whereSql(columns: Columns, where: WhereClause[] | undefined, params: ParamSink): string[] {
  return (where ?? []).map((clause, i) => whereClauseSql(columns, clause, params, `where.${i}`));
}

/**
 * Mautic's `search` list parameter, one reading for every list: `ids:a,b` (exact ids), `!term`
 * (does not contain) or `term` (contains, as an escaped `ILIKE` pattern). Under `ids:`, a value
 * that cannot be an id of the list (`isId`) matches nothing, as in Mautic, rather than failing.
 */
export type SearchTerm = { ids: string[] } | { like: string; negate: boolean };

export function parseSearch(
  search: string | undefined,
  isId: (id: string) => boolean = () => true,
): SearchTerm | undefined {
  const term = search?.trim();
  if (!term) return undefined;
  const ids = /^ids:(.*)$/i.exec(term);
  if (ids) {
    return {
      ids: ids[1]
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '' && isId(v)),
    };
  }
  const negate = term.startsWith('!');
  const text = negate ? term.slice(1).trim() : term;
  if (!text) return undefined;
  return { like: `%${text.replace(/[\\%_]/g, '\\$&')}%`, negate };
}

/** A positive integer id of an `int` column. */
export function isIntId(v: string): boolean {
  return /^\d{1,10}$/.test(v) && Number(v) >= 1 && Number(v) <= INT_MAX;
}
