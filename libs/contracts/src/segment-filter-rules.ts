import type { SegmentFilter, SegmentFilterInput } from './rest/segment.dto';

/**
 * The rules of Mautic's segment filter format that every evaluator of it shares: the operators,
 * the value types and how a filter's value is read and checked. preferences compiles filters to
 * SQL over its contacts (segments); `content-filters.ts` evaluates them in code over a dispatch's
 * contact (content variants). Both take their operators and values from here, so a filter that
 * saves in one place means the same in the other.
 */

export type FilterValueType = 'text' | 'number' | 'date' | 'boolean';

export const FILTER_OPERATORS = [
  '=',
  '!=',
  'gt',
  'gte',
  'lt',
  'lte',
  'empty',
  '!empty',
  'like',
  '!like',
  'contains',
  '!contains',
  'startsWith',
  'endsWith',
  'in',
  '!in',
  'between',
  '!between',
  'regexp',
  '!regexp',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export const OPERATORS_BY_TYPE: Record<FilterValueType, readonly FilterOperator[]> = {
  text: FILTER_OPERATORS,
  number: ['=', '!=', 'gt', 'gte', 'lt', 'lte', 'empty', '!empty', 'in', '!in', 'between', '!between'],
  date: ['=', '!=', 'gt', 'gte', 'lt', 'lte', 'empty', '!empty', 'between', '!between'],
  boolean: ['=', '!=', 'empty', '!empty'],
};

/** Mautic's field types folded into the four that filters compare by. */
export const FILTER_FIELD_TYPES: Record<string, FilterValueType> = {
  text: 'text',
  textarea: 'text',
  email: 'text',
  tel: 'text',
  url: 'text',
  select: 'text',
  multiselect: 'text',
  lookup: 'text',
  country: 'text',
  region: 'text',
  locale: 'text',
  timezone: 'text',
  html: 'text',
  number: 'number',
  date: 'date',
  datetime: 'date',
  time: 'text',
  boolean: 'boolean',
};

/** A custom field's key (it names a JSON key, never SQL). */
export const CUSTOM_FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
export const RELATIVE_DATE = /^([+-]?\d{1,5})\s*(hour|day|week|month|year)s?(\s+ago)?$/i;
export const NAMED_DAYS: Record<string, number> = { today: 0, yesterday: -1, tomorrow: 1 };

/** A filter that cannot be applied; its message names what is wrong with it. */
export class FilterError extends Error {}

export const failFilter = (message: string): never => {
  throw new FilterError(message);
};

export const isFilterOperator = (operator: string): operator is FilterOperator =>
  (FILTER_OPERATORS as readonly string[]).includes(operator);

export const isRelativeDate = (value: string) =>
  RELATIVE_DATE.test(value.trim()) || value.trim().toLowerCase() in NAMED_DAYS;

/** 1/0, true/false, yes/no as Mautic clients send them; undefined for anything else. */
export function truthy(value: unknown): boolean | undefined {
  if (value === true || value === 1 || value === '1' || value === 'true' || value === 'yes') return true;
  if (value === false || value === 0 || value === '0' || value === 'false' || value === 'no') return false;
  return undefined;
}

/** The filter's value: Mautic 3's `properties.filter`, else Mautic 2's `filter`. */
export function filterValueOf(input: SegmentFilterInput): unknown {
  const fromProperties = input.properties?.filter;
  return fromProperties !== undefined ? fromProperties : (input.filter ?? null);
}

/** A filter input in the stored shape: both spellings of the value, as Mautic answers it. */
export function storedFilter(input: SegmentFilterInput): SegmentFilter {
  const filter = filterValueOf(input);
  return {
    glue: input.glue,
    field: input.field,
    object: input.object,
    type: input.type,
    operator: input.operator,
    properties: { ...(input.properties ?? {}), filter },
    filter,
    display: input.display ?? null,
  };
}

/** The filters in groups: AND binds tighter than OR, as Mautic groups them (a new group at each `or`). */
export function filterGroups<F extends { glue: string }>(filters: readonly F[]): F[][] {
  const groups: F[][] = [];
  filters.forEach((f, i) => {
    if (i === 0 || f.glue === 'or') groups.push([]);
    groups[groups.length - 1].push(f);
  });
  return groups;
}

export function rangeOf(value: unknown): [unknown, unknown] {
  if (Array.isArray(value) && value.length === 2) return [value[0], value[1]];
  if (value && typeof value === 'object' && 'from' in value && 'to' in value)
    return [(value as { from: unknown }).from, (value as { to: unknown }).to];
  return failFilter('between takes [from, to].');
}

/** A filter's value checked against its type (a relative date stays text, resolved against a clock later). */
export function checkedFilterValue(type: FilterValueType, value: unknown): string | number | boolean {
  switch (type) {
    case 'text':
      return typeof value === 'string' || typeof value === 'number'
        ? String(value)
        : failFilter('the value is a text.');
    case 'number': {
      const n =
        typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      return Number.isFinite(n) ? n : failFilter('the value is a number.');
    }
    case 'boolean':
      return truthy(value) ?? failFilter('the value is 1 or 0.');
    case 'date': {
      const text = typeof value === 'string' ? value.trim() : failFilter('the value is a date.');
      return Number.isNaN(Date.parse(text)) && !isRelativeDate(text)
        ? failFilter('the value is a date (ISO 8601, today, -7 days).')
        : text;
    }
  }
}

/** A pattern of `like`: `*` and `%` are wildcards; without one it matches anywhere. */
export function likePattern(value: unknown): string {
  const text = typeof value === 'string' ? value : failFilter('like takes a text.');
  const pattern = text.replace(/\*/g, '%');
  return pattern.includes('%') ? pattern : `%${pattern}%`;
}

/** The text of contains / startsWith / endsWith. */
export function matchText(operator: FilterOperator, value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : failFilter(`${operator} takes a text.`);
}

/** The pattern of regexp / !regexp (a POSIX regular expression, matched without case). */
export function regexpPattern(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : failFilter('regexp takes a pattern.');
}

/** The list of in / !in. */
export function listOf(operator: FilterOperator, value: unknown): unknown[] {
  return Array.isArray(value) && value.length > 0 ? value : failFilter(`${operator} takes a non-empty list.`);
}

/**
 * The moment a relative date (`today`, `-7 days`, `2 weeks ago`) stands for, from `now`, in UTC:
 * named days are midnights, offsets are exact.
 */
export function resolveRelativeDate(value: string, now: Date): Date {
  const text = value.trim().toLowerCase();
  const named = NAMED_DAYS[text];
  if (named !== undefined) {
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    return new Date(midnight + named * 86_400_000);
  }
  const [, n, unit, ago] = RELATIVE_DATE.exec(text)!;
  const amount = ago ? -Number(n) : Number(n);
  const at = new Date(now.getTime());
  switch (unit) {
    case 'hour':
      at.setTime(at.getTime() + amount * 3_600_000);
      break;
    case 'day':
      at.setUTCDate(at.getUTCDate() + amount);
      break;
    case 'week':
      at.setUTCDate(at.getUTCDate() + amount * 7);
      break;
    case 'month':
      at.setUTCMonth(at.getUTCMonth() + amount);
      break;
    case 'year':
      at.setUTCFullYear(at.getUTCFullYear() + amount);
      break;
  }
  return at;
}
