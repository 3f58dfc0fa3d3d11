import type { SegmentFilter } from './rest/segment.dto';
import {
  checkedFilterValue,
  CUSTOM_FIELD,
  DATE_ONLY,
  failFilter,
  FILTER_FIELD_TYPES,
  FilterError,
  filterGroups,
  isFilterOperator,
  isRelativeDate,
  likePattern,
  listOf,
  matchText,
  OPERATORS_BY_TYPE,
  rangeOf,
  regexpPattern,
  resolveRelativeDate,
  type FilterOperator,
  type FilterValueType,
} from './segment-filter-rules';

/**
 * Segment filters (DESIGN §7.4) evaluated in code over the contact a dispatch carries, for content
 * variants and Mautic's dynamic content (DESIGN §7.2). The operators and values are those of the
 * segment engine (`segment-filter-rules.ts`), with its SQL semantics: text equality is exact,
 * `like`/`contains`/`regexp` ignore case, and a negative operator also takes a contact without a
 * value. What a dispatch does not carry (do-not-contact, activity, segment membership, the dates
 * the contact was added) cannot be asked here: such a filter is refused when content is saved.
 * Two pseudo-fields tell the moment of the send in the contact's time zone: `localTime` (`HH:mm`)
 * and `localWeekday` (`monday`…`sunday`, or 1–7 from Monday).
 */

/** What a filter can look at: the dispatch's contact. */
export interface FilterSubject {
  id: string;
  /** The render fields: custom fields with the standard ones over them. */
  fields: Record<string, unknown>;
  locale?: string | null;
  timezone?: string | null;
}

type Read = (subject: FilterSubject) => unknown;

const fromFields =
  (key: string): Read =>
  (s) =>
    s.fields[key];

/** Standard fields a dispatch carries, by their Mautic and Switchboard names. */
const CONTACT_FIELDS: Record<string, Read> = {
  id: (s) => s.id,
  email: fromFields('email'),
  mobile: fromFields('mobile'),
  firstname: fromFields('firstname'),
  lastname: fromFields('lastname'),
  country: fromFields('country'),
  twitterHandle: fromFields('twitterHandle'),
  twitter_handle: fromFields('twitterHandle'),
  locale: (s) => s.locale,
  timezone: (s) => s.timezone,
};

/** Fields of the segment engine that need data only preferences holds. */
const SEGMENT_ONLY =
  /^(leadlist|preferredChannel|preferred_channel|dateAdded|date_added|dateModified|date_modified|date_identified|dnc(_.*)?|message_(sent|opened|clicked)|lead_email_(sent|received)|email_clicked_link)$/;

export const LOCAL_TIME_FIELDS = ['localTime', 'local_time'] as const;
export const LOCAL_WEEKDAY_FIELDS = ['localWeekday', 'local_weekday'] as const;
const isLocalTime = (field: string) => (LOCAL_TIME_FIELDS as readonly string[]).includes(field);
const isLocalWeekday = (field: string) => (LOCAL_WEEKDAY_FIELDS as readonly string[]).includes(field);

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const TIME_OF_DAY = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** A placeholder row (Mautic's default dynamic content has one with every key null): no filter at all. */
export const isBlankFilter = (f: { field?: unknown }) => f.field === null || f.field === undefined || f.field === '';

/** The reasons these filters cannot be evaluated for a send, one per bad filter (`#2 (city): ...`). */
export function contentFilterErrors(filters: readonly SegmentFilter[]): string[] {
  const errors: string[] = [];
  filters.forEach((f, i) => {
    if (isBlankFilter(f)) return;
    try {
      compile(f);
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      errors.push(`#${i + 1} (${f.field}): ${error.message}`);
    }
  });
  return errors;
}

/**
 * Whether the subject matches the filters at `now`: any OR-group whose filters all match. No
 * filter (or only placeholders) matches nobody, as in Mautic's dynamic content.
 */
export function matchesContentFilters(filters: readonly SegmentFilter[], subject: FilterSubject, now: Date): boolean {
  let groups = compiled.get(filters);
  if (!groups) {
    groups = filterGroups(filters.filter((f) => !isBlankFilter(f))).map((group) => group.map(compile));
    compiled.set(filters, groups);
  }
  return groups.some((group) => group.every((predicate) => predicate(subject, now)));
}

/** Filters compiled once per list: a sender's content cache holds the same lists for every contact of a campaign. */
const compiled = new WeakMap<readonly SegmentFilter[], Predicate[][]>();

type Predicate = (subject: FilterSubject, now: Date) => boolean;

/** A filter checked once and turned into a predicate; a FilterError when it cannot be evaluated. */
function compile(f: SegmentFilter): Predicate {
  const operator = isFilterOperator(f.operator)
    ? f.operator
    : failFilter(`the operator ${f.operator} is not supported.`);
  if (isLocalTime(f.field)) return localTimePredicate(operator, f.filter);
  if (isLocalWeekday(f.field)) return localWeekdayPredicate(operator, f.filter);
  if (SEGMENT_ONLY.test(f.field) || f.type === 'leadlist')
    failFilter('is not known when a message is sent; use it in a segment.');
  const core = CONTACT_FIELDS[f.field];
  if (core) return fieldPredicate((s) => asText(core(s)), 'text', operator, f.filter);
  if (f.object !== 'lead' || !CUSTOM_FIELD.test(f.field)) failFilter('unknown field.');
  const type = FILTER_FIELD_TYPES[f.type.toLowerCase()] ?? failFilter(`the type ${f.type} is not supported.`);
  const read = (s: FilterSubject) => asText(s.fields[f.field]);
  return fieldPredicate(read, type, operator, f.filter);
}

/** A value as PostgreSQL's `->>` gives it: text, or null. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A custom field's text read as its type, as preferences' sb_numeric / sb_timestamptz / sb_boolean do. */
function typed(type: FilterValueType, text: string | null): string | number | boolean | Date | null {
  if (text === null) return null;
  switch (type) {
    case 'text':
      return text;
    case 'number':
      return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d{1,3})?\s*$/.test(text) ? Number(text) : null;
    case 'boolean': {
      const t = text.toLowerCase();
      return ['1', 'true', 'yes', 'y', 'on'].includes(t)
        ? true
        : ['0', 'false', 'no', 'n', 'off'].includes(t)
          ? false
          : null;
    }
    case 'date': {
      if (!/^\s*\d{4}-\d{2}-\d{2}/.test(text)) return null;
      const at = new Date(DATE_ONLY.test(text.trim()) ? `${text.trim()}T00:00:00Z` : text.trim());
      return Number.isNaN(at.getTime()) ? null : at;
    }
  }
}

type Scalar = string | number | boolean | Date;

/** The filter's value for a comparison at `now` (a relative date resolved against it). */
function operand(type: FilterValueType, value: unknown): (now: Date) => Scalar {
  const checked = checkedFilterValue(type, value);
  if (type !== 'date') return () => checked;
  const text = checked as string;
  if (isRelativeDate(text)) return (now) => resolveRelativeDate(text, now);
  const at = new Date(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text);
  return () => at;
}

const key = (v: Scalar) => (v instanceof Date ? v.getTime() : v);
const utcDay = (v: Scalar) => (v instanceof Date ? v.toISOString().slice(0, 10) : v);

/** SQL's `NOT coalesce(p, false)`: a negative operator also takes a contact without a value. */
const not =
  (p: (v: Scalar, now: Date) => boolean) =>
  (v: Scalar | null, now: Date): boolean =>
    v === null ? true : !p(v, now);
const pos =
  (p: (v: Scalar, now: Date) => boolean) =>
  (v: Scalar | null, now: Date): boolean =>
    v === null ? false : p(v, now);

function fieldPredicate(
  read: (subject: FilterSubject) => string | null,
  type: FilterValueType,
  operator: FilterOperator,
  value: unknown,
): Predicate {
  if (!OPERATORS_BY_TYPE[type].includes(operator))
    failFilter(`the operator ${operator} does not apply to ${type} fields.`);
  const test = valueTest(type, operator, value);
  return (subject, now) => {
    const text = read(subject);
    if (operator === 'empty') return text === null || (type === 'text' ? text === '' : typed(type, text) === null);
    if (operator === '!empty') return !(text === null || (type === 'text' ? text === '' : typed(type, text) === null));
    return test(typed(type, text), now);
  };
}

function valueTest(
  type: FilterValueType,
  operator: FilterOperator,
  value: unknown,
): (v: Scalar | null, now: Date) => boolean {
  switch (operator) {
    case 'empty':
    case '!empty':
      return () => false; // answered before a value is read
    case '=':
    case '!=': {
      const wanted = operand(type, value);
      // A date-only or relative value compares UTC days, as the segment engine does.
      const byDay = type === 'date' && typeof value === 'string' && (DATE_ONLY.test(value) || isRelativeDate(value));
      const eq = (v: Scalar, now: Date) => (byDay ? utcDay(v) === utcDay(wanted(now)) : key(v) === key(wanted(now)));
      return operator === '=' ? pos(eq) : not(eq);
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const wanted = operand(type, value);
      const cmp = {
        gt: (a: number) => a > 0,
        gte: (a: number) => a >= 0,
        lt: (a: number) => a < 0,
        lte: (a: number) => a <= 0,
      }[operator];
      return pos((v, now) => cmp(compare(key(v), key(wanted(now)))));
    }
    case 'like':
    case '!like': {
      const re = likeRegExp(likePattern(value));
      const m = (v: Scalar) => re.test(String(v));
      return operator === 'like' ? pos(m) : not(m);
    }
    case 'contains':
    case '!contains':
    case 'startsWith':
    case 'endsWith': {
      const text = matchText(operator, value).toLowerCase();
      const m = (v: Scalar) => {
        const s = String(v).toLowerCase();
        return operator === 'startsWith'
          ? s.startsWith(text)
          : operator === 'endsWith'
            ? s.endsWith(text)
            : s.includes(text);
      };
      return operator === '!contains' ? not(m) : pos(m);
    }
    case 'in':
    case '!in': {
      const items = new Set(listOf(operator, value).map((v) => key(checkedFilterValue(type, v))));
      const m = (v: Scalar) => items.has(key(v));
      return operator === 'in' ? pos(m) : not(m);
    }
    case 'between':
    case '!between': {
      const [from, to] = rangeOf(value);
      const low = operand(type, from);
      const high = operand(type, to);
      const m = (v: Scalar, now: Date) => compare(key(v), key(low(now))) >= 0 && compare(key(v), key(high(now))) <= 0;
      return operator === 'between' ? pos(m) : not(m);
    }
    case 'regexp':
    case '!regexp': {
      let re: RegExp;
      try {
        re = new RegExp(regexpPattern(value), 'i');
      } catch {
        return failFilter('the pattern is not a valid regular expression.');
      }
      const m = (v: Scalar) => re.test(String(v));
      return operator === 'regexp' ? pos(m) : not(m);
    }
  }
}

function compare(a: string | number | boolean, b: string | number | boolean): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** SQL ILIKE: `%` any run, `_` one character, case ignored. */
function likeRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'is');
}

/** The moment of the send in the contact's time zone (UTC when the contact has none or an unknown one). */
export function localMoment(now: Date, timezone: string | null | undefined): { minutes: number; weekday: number } {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = localFormat(timezone || 'UTC').formatToParts(now);
  } catch {
    parts = localFormat('UTC').formatToParts(now);
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const hour = Number(get('hour')) % 24;
  return {
    minutes: hour * 60 + Number(get('minute')),
    weekday: WEEKDAYS.indexOf(get('weekday').toLowerCase()) + 1,
  };
}

const formats = new Map<string, Intl.DateTimeFormat>();
function localFormat(timezone: string): Intl.DateTimeFormat {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'long',
    });
    formats.set(timezone, format);
  }
  return format;
}

function minutesOf(value: unknown): number {
  const m = typeof value === 'string' ? TIME_OF_DAY.exec(value.trim()) : null;
  return m ? Number(m[1]) * 60 + Number(m[2]) : failFilter('a time of day is HH:mm (00:00 to 23:59).');
}

/**
 * `localTime`: =, !=, gt, gte, lt, lte, between and !between over `HH:mm`; a `between` whose start
 * is after its end spans midnight (`["22:00", "06:00"]` is the night).
 */
function localTimePredicate(operator: FilterOperator, value: unknown): Predicate {
  const at = (s: FilterSubject, now: Date) => localMoment(now, s.timezone).minutes;
  if (operator === 'between' || operator === '!between') {
    const [from, to] = rangeOf(value).map(minutesOf);
    const inside = (m: number) => (from <= to ? m >= from && m <= to : m >= from || m <= to);
    return (s, now) => inside(at(s, now)) === (operator === 'between');
  }
  const compareTo: Partial<Record<FilterOperator, (m: number, t: number) => boolean>> = {
    '=': (m, t) => m === t,
    '!=': (m, t) => m !== t,
    gt: (m, t) => m > t,
    gte: (m, t) => m >= t,
    lt: (m, t) => m < t,
    lte: (m, t) => m <= t,
  };
  const test =
    compareTo[operator] ??
    failFilter(`the operator ${operator} does not apply to the local time (=, !=, gt, gte, lt, lte, between).`);
  const t = minutesOf(value);
  return (s, now) => test(at(s, now), t);
}

function weekdayOf(value: unknown): number {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d$/.test(value.trim()))) {
    const n = Number(value);
    if (Number.isInteger(n) && n >= 1 && n <= 7) return n;
  } else if (typeof value === 'string') {
    const name = value.trim().toLowerCase();
    const i = WEEKDAYS.findIndex((d) => d === name || (name.length >= 3 && d.startsWith(name)));
    if (i >= 0) return i + 1;
  }
  return failFilter('a weekday is monday to sunday, or 1 (Monday) to 7 (Sunday).');
}

/** `localWeekday`: =, !=, in, !in over weekday names or 1 (Monday) to 7 (Sunday). */
function localWeekdayPredicate(operator: FilterOperator, value: unknown): Predicate {
  const day = (s: FilterSubject, now: Date) => localMoment(now, s.timezone).weekday;
  if (operator === '=' || operator === '!=') {
    const d = weekdayOf(value);
    return (s, now) => (day(s, now) === d) === (operator === '=');
  }
  if (operator === 'in' || operator === '!in') {
    const days = new Set(listOf(operator, value).map(weekdayOf));
    return (s, now) => days.has(day(s, now)) === (operator === 'in');
  }
  return failFilter(`the operator ${operator} does not apply to the weekday (=, !=, in, !in).`);
}
