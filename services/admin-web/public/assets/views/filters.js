// The segment filter format's operators (segments and content variants), and what a content
// variant's filter may ask (libs/contracts content-filters.ts): the fields a send carries, the
// send's local moment and custom fields, each with the operators the API accepts for it.
// services/admin-web/test/filters.test.ts checks every offer against the API's own rules.

/** Operators of the segment filter format (segment-filter-rules.ts), as a marketer reads them. @type {[string, string][]} */
export const FILTER_OPERATORS = [
  ['=', 'equals'],
  ['!=', 'does not equal'],
  ['gt', 'greater than'],
  ['gte', 'at least'],
  ['lt', 'less than'],
  ['lte', 'at most'],
  ['empty', 'is empty'],
  ['!empty', 'is not empty'],
  ['like', 'like (% wildcards)'],
  ['!like', 'not like'],
  ['contains', 'contains'],
  ['!contains', 'does not contain'],
  ['startsWith', 'starts with'],
  ['endsWith', 'ends with'],
  ['in', 'is one of (comma-separated)'],
  ['!in', 'is none of (comma-separated)'],
  ['between', 'between (from, to)'],
  ['!between', 'not between (from, to)'],
  ['regexp', 'matches the regular expression'],
  ['!regexp', 'does not match the regular expression'],
];

const ALL = FILTER_OPERATORS.map(([op]) => op);

/** OPERATORS_BY_TYPE of segment-filter-rules.ts. @type {Record<string, string[]>} */
export const OPERATORS_BY_TYPE = {
  text: ALL,
  number: ['=', '!=', 'gt', 'gte', 'lt', 'lte', 'empty', '!empty', 'in', '!in', 'between', '!between'],
  date: ['=', '!=', 'gt', 'gte', 'lt', 'lte', 'empty', '!empty', 'between', '!between'],
  boolean: ['=', '!=', 'empty', '!empty'],
};

/** The value a custom field picker stands for: the field's name is typed beside it. */
export const CUSTOM_FIELD = '';

/**
 * The fields a variant's filter may name, by group. Do-not-contact, activity, segments and the
 * dates a contact was added are refused (a send does not carry them): they belong in a segment.
 * @type {{ group: string, fields: { name: string, label: string, operators: string[], hint?: string }[] }[]}
 */
export const FILTER_FIELDS = [
  {
    group: 'Contact',
    fields: [
      { name: 'id', label: 'Contact ID', operators: ALL },
      { name: 'email', label: 'Email', operators: ALL },
      { name: 'mobile', label: 'Mobile', operators: ALL },
      { name: 'firstname', label: 'First name', operators: ALL },
      { name: 'lastname', label: 'Last name', operators: ALL },
      { name: 'country', label: 'Country', operators: ALL },
      { name: 'locale', label: 'Locale', operators: ALL },
      { name: 'timezone', label: 'Time zone', operators: ALL },
      { name: 'twitterHandle', label: 'Twitter handle', operators: ALL },
    ],
  },
  {
    group: 'When it is sent (the contact’s time zone)',
    fields: [
      {
        name: 'localTime',
        label: 'Local time of day',
        operators: ['=', '!=', 'gt', 'gte', 'lt', 'lte', 'between', '!between'],
        hint: 'HH:mm, e.g. 09:00; between 22:00, 06:00 spans midnight.',
      },
      {
        name: 'localWeekday',
        label: 'Local weekday',
        operators: ['=', '!=', 'in', '!in'],
        hint: 'monday … sunday, or 1 (Monday) to 7 (Sunday).',
      },
    ],
  },
];

/** @param {string} name → the offered field of that name, if any */
export function knownField(name) {
  for (const group of FILTER_FIELDS) {
    const found = group.fields.find((f) => f.name === name);
    if (found) return found;
  }
  return undefined;
}

/** The custom field types a filter compares by (Mautic's types fold into these four). */
export const CUSTOM_TYPES = /** @type {const} */ (['text', 'number', 'date', 'boolean']);

/** @param {string} type a stored filter's type → the custom type it compares as */
export function customTypeOf(type) {
  const t = String(type ?? '').toLowerCase();
  if (t === 'number' || t === 'boolean' || t === 'date') return t;
  if (t === 'datetime' || t === 'time') return 'date';
  return 'text';
}

/**
 * One filter row as the editor holds it.
 * @typedef {{ glue: string, field: string, custom: string, type: string, operator: string, value: string }} FilterDraft
 */

/** The operators offered for a row. @param {FilterDraft} f */
export function operatorsFor(f) {
  return f.field === CUSTOM_FIELD ? (OPERATORS_BY_TYPE[f.type] ?? ALL) : (knownField(f.field)?.operators ?? ALL);
}

const takesNoValue = (/** @type {string} */ operator) => operator === 'empty' || operator === '!empty';
const takesList = (/** @type {string} */ operator) => ['in', '!in', 'between', '!between'].includes(operator);

/** Help for the value box of a row. @param {FilterDraft} f */
export function valueHint(f) {
  if (takesNoValue(f.operator)) return 'No value needed.';
  const own = f.field === CUSTOM_FIELD ? null : knownField(f.field)?.hint;
  if (own) return own;
  if (f.field === CUSTOM_FIELD && f.type === 'date') return 'A date (2026-12-24) or a relative one (today, -7 days).';
  if (f.field === CUSTOM_FIELD && f.type === 'boolean') return '1 (yes) or 0 (no).';
  if (f.operator === 'between' || f.operator === '!between') return 'From, to (comma-separated).';
  if (takesList(f.operator)) return 'Comma-separated values.';
  return '';
}

/** A stored filter (`{glue, field, type, operator, filter}`) as a row. @param {any} stored @returns {FilterDraft} */
export function draftOf(stored) {
  const value = stored?.properties?.filter !== undefined ? stored.properties.filter : stored?.filter;
  const field = String(stored?.field ?? '');
  const known = knownField(field);
  return {
    glue: stored?.glue === 'or' ? 'or' : 'and',
    field: known ? field : CUSTOM_FIELD,
    custom: known ? '' : field,
    type: known ? 'text' : customTypeOf(stored?.type),
    operator: String(stored?.operator ?? '='),
    value: Array.isArray(value) ? value.join(', ') : value === null || value === undefined ? '' : String(value),
  };
}

/** An empty row: a custom field equal to a value (the common case: city = Prague). @returns {FilterDraft} */
export function newDraft() {
  return { glue: 'and', field: CUSTOM_FIELD, custom: '', type: 'text', operator: '=', value: '' };
}

/**
 * A row in the API's filter format. Values stay as typed (numbers as numbers): the API checks
 * them and names what is wrong.
 * @param {FilterDraft} f
 */
export function filterOf(f) {
  const type = f.field === CUSTOM_FIELD ? f.type : 'text';
  const one = (/** @type {string} */ v) => {
    const text = v.trim();
    return type === 'number' && text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
  };
  const filter = takesNoValue(f.operator) ? null : takesList(f.operator) ? f.value.split(',').map(one) : one(f.value);
  return {
    glue: f.glue,
    field: f.field === CUSTOM_FIELD ? f.custom.trim() : f.field,
    object: 'lead',
    type,
    operator: f.operator,
    properties: { filter },
    filter,
    display: null,
  };
}
