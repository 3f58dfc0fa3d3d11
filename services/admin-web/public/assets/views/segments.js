import { api, query, session } from '../api.js';
import {
  alertBox,
  busy,
  checked,
  field,
  formatDate,
  h,
  loading,
  noticeBox,
  orNull,
  replace,
  showError,
  table,
  valueOf,
} from '../dom.js';
import { FILTER_OPERATORS } from './filters.js';
import { listPage, publishedBadge } from './shared.js';

/** @typedef {import('../app.js').ViewContext} ViewContext */

/** Fields the filter builder offers (any other name is a custom field). @type {[string, string, string][]} */
const FIELDS = [
  ['email', 'Email', 'email'],
  ['firstname', 'First name', 'text'],
  ['lastname', 'Last name', 'text'],
  ['mobile', 'Mobile', 'tel'],
  ['locale', 'Locale', 'text'],
  ['timezone', 'Time zone', 'text'],
  ['preferredChannel', 'Preferred channel', 'text'],
  ['date_added', 'Date added', 'datetime'],
  ['dnc_email', 'Do not contact: email', 'boolean'],
  ['dnc_sms', 'Do not contact: SMS', 'boolean'],
  ['dnc_bounced', 'Bounced (email)', 'boolean'],
  ['dnc_unsubscribed', 'Unsubscribed (email)', 'boolean'],
  ['message_sent', 'Was sent a message', 'activity'],
  ['message_opened', 'Opened a message', 'activity'],
  ['message_clicked', 'Clicked a message', 'activity'],
];
const TYPES = ['text', 'number', 'date', 'boolean', 'email', 'activity'];

/** @param {any} s */
const segmentLink = (s) => h('a', { href: `/admin/segments/${s.id}` }, String(s.name));

/** @param {ViewContext} ctx */
export function segmentsPage(ctx) {
  return listPage(ctx, {
    title: 'Segments',
    apiPath: '/api/segments',
    listKey: 'lists',
    caption: 'Segments',
    newHref: '/admin/segments/new',
    newLabel: 'New segment',
    searchLabel: 'Search by name or alias',
    columns: [
      { label: 'Name', cell: segmentLink },
      { label: 'Alias', cell: (s) => s.alias },
      { label: 'Filters', cell: (s) => (s.filters?.length ? `${s.filters.length} filter(s)` : 'Static') },
      { label: 'Published', cell: (s) => publishedBadge(s.isPublished) },
      {
        label: 'Actions',
        cell: (s) => [
          h('a', { href: `/admin/segments/${s.id}/contacts` }, 'Contacts'),
          ' · ',
          h('a', { href: `/admin/segments/${s.id}/import` }, 'Import'),
        ],
      },
    ],
  });
}

/**
 * The filter builder's value for an operator and type: lists split on commas, numbers as numbers,
 * activity as `{withinDays}` (or 1 for any time).
 * @param {string} operator @param {string} type @param {string} raw @param {string} days
 */
function filterValue(operator, type, raw, days) {
  if (operator === 'empty' || operator === '!empty') return null;
  const one = (/** @type {string} */ v) => (type === 'number' && v.trim() !== '' ? Number(v) : v.trim());
  if (type === 'activity' && (operator === '=' || operator === '!=')) return days ? { withinDays: Number(days) } : 1;
  if (['in', '!in', 'between', '!between'].includes(operator)) return raw.split(',').map(one);
  return one(raw);
}

/** One row of the filter builder. @param {any} f @param {() => void} changed */
function filterRow(f, changed) {
  const row = h('fieldset', { class: 'filter-row' });
  const known = FIELDS.find(([name]) => name === f.field);
  const withinDays = f.filter && typeof f.filter === 'object' && !Array.isArray(f.filter) ? f.filter.withinDays : '';
  const value = Array.isArray(f.filter)
    ? f.filter.join(', ')
    : f.filter && typeof f.filter === 'object'
      ? ''
      : (f.filter ?? '');
  replace(
    row,
    h('legend', null, 'Filter'),
    field({
      name: 'glue',
      label: 'Glue',
      type: 'select',
      value: f.glue ?? 'and',
      options: [
        ['and', 'and'],
        ['or', 'or'],
      ],
    }),
    field({ name: 'field', label: 'Field', value: f.field ?? 'email', attrs: { list: 'segment-fields' } }),
    field({
      name: 'type',
      label: 'Type',
      type: 'select',
      value: f.type ?? known?.[2] ?? 'text',
      options: TYPES.map((t) => [t, t]),
    }),
    field({ name: 'operator', label: 'Operator', type: 'select', value: f.operator ?? '=', options: FILTER_OPERATORS }),
    field({ name: 'value', label: 'Value', value }),
    field({ name: 'withinDays', label: 'Within days (activity)', type: 'number', value: withinDays ?? '' }),
    h('button', { type: 'button', class: 'link', onclick: () => (row.remove(), changed()) }, 'Remove filter'),
  );
  row.addEventListener('input', changed);
  row.addEventListener('change', changed);
  return row;
}

/** The builder's filters in Mautic's format. @param {HTMLElement} rows */
function readFilters(rows) {
  return [...rows.querySelectorAll('.filter-row')].map((row) => {
    const get = (/** @type {string} */ name) =>
      /** @type {HTMLInputElement} */ (row.querySelector(`[name="${name}"]`)).value;
    const type = get('type');
    const operator = get('operator');
    const fieldName = get('field').trim();
    const filter = filterValue(operator, type, get('value'), get('withinDays'));
    return {
      glue: get('glue'),
      field: fieldName,
      object: 'lead',
      type: type === 'activity' ? 'boolean' : type,
      operator,
      properties: { filter },
      filter,
      display: null,
    };
  });
}

/** Create or edit a segment: name, publishing, the filter builder and its live count. @param {ViewContext} ctx */
export async function segmentEditPage(ctx) {
  const id = ctx.params.id;
  ctx.title(id ? 'Edit segment' : 'New segment');
  replace(ctx.main, loading());
  const segment = id ? (await api('GET', `/api/segments/${id}`)).list : { name: '', filters: [], isPublished: true };
  if (!ctx.current()) return;
  const alert = alertBox();
  const notice = noticeBox();
  const count = h('p', { class: 'live-count', 'aria-live': 'polite' }, 'Matching contacts: —');
  const rows = h('div', { class: 'filters', dataset: { field: 'filters' } }, h('p', { class: 'field-error' }));
  let timer = 0;
  let seq = 0;
  const recount = () => {
    clearTimeout(timer);
    timer = window.setTimeout(async () => {
      const mine = ++seq;
      const filters = readFilters(rows);
      if (filters.length === 0) return replace(count, 'Matching contacts: no filters (a static segment)');
      try {
        const { count: n } = await api('POST', '/api/segments/count', { filters });
        if (mine === seq) replace(count, `Matching contacts: ${n}`);
      } catch (error) {
        if (mine === seq) replace(count, `Matching contacts: — (${error instanceof Error ? error.message : error})`);
      }
    }, 300);
  };
  for (const f of segment.filters ?? []) rows.append(filterRow(f, recount));
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { novalidate: true },
      alert,
      notice,
      field({ name: 'name', label: 'Name', value: segment.name, required: true }),
      field({
        name: 'alias',
        label: 'Alias',
        value: segment.alias ?? '',
        hint: 'Used in search=segment:alias; made from the name when empty.',
      }),
      field({ name: 'description', label: 'Description', type: 'textarea', value: segment.description ?? '', rows: 2 }),
      field({ name: 'isPublished', label: 'Published', type: 'checkbox', value: segment.isPublished }),
      h('h2', null, 'Filters'),
      h(
        'datalist',
        { id: 'segment-fields' },
        FIELDS.map(([name, label]) => h('option', { value: name }, label)),
      ),
      rows,
      h('button', { type: 'button', onclick: () => (rows.append(filterRow({}, recount)), recount()) }, 'Add filter'),
      count,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save segment')),
    )
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(form, async () => {
      const body = {
        name: valueOf(form, 'name'),
        alias: orNull(valueOf(form, 'alias')),
        description: orNull(valueOf(form, 'description')),
        isPublished: checked(form, 'isPublished'),
        filters: readFilters(rows),
      };
      try {
        const saved = id
          ? (await api('PATCH', `/api/segments/${id}/edit`, body)).list
          : (await api('POST', '/api/segments/new', body)).list;
        ctx.navigate(`/admin/segments/${saved.id}`, { flash: 'Segment saved.' });
      } catch (error) {
        showError(form, alert, error);
      }
    });
  });
  if (ctx.flash) replace(notice, ctx.flash);
  replace(
    ctx.main,
    h(
      'div',
      { class: 'page-header' },
      h('h1', null, id ? `Segment: ${segment.name}` : 'New segment'),
      id
        ? h(
            'span',
            { class: 'actions' },
            h('a', { class: 'button', href: `/admin/segments/${id}/contacts` }, 'Segment contacts'),
            h('a', { class: 'button', href: `/admin/segments/${id}/import` }, 'Import CSV'),
          )
        : null,
    ),
    form,
  );
  recount();
}

/** The contacts of a segment, paged. @param {ViewContext} ctx */
export async function segmentContactsPage(ctx) {
  const id = ctx.params.id;
  const start = Math.max(0, Number.parseInt(ctx.query.get('start') ?? '0', 10) || 0);
  ctx.title('Segment contacts');
  replace(ctx.main, loading());
  const [{ list }, page] = await Promise.all([
    api('GET', `/api/segments/${id}`),
    api('GET', `/api/segments/${id}/contacts${query({ start, limit: 30 })}`),
  ]);
  if (!ctx.current()) return;
  const base = `/admin/segments/${id}/contacts`;
  replace(
    ctx.main,
    h(
      'div',
      { class: 'page-header' },
      h('h1', null, `Contacts of ${list.name}`),
      h('a', { class: 'button', href: `/admin/segments/${id}` }, 'Edit segment'),
    ),
    table({
      caption: `${page.total} contact(s)`,
      columns: [
        { label: 'ID', cell: (c) => h('a', { href: `/admin/contacts/${encodeURIComponent(c.id)}` }, String(c.id)) },
        { label: 'Email', cell: (c) => c.email ?? '—' },
        { label: 'Name', cell: (c) => [c.firstname, c.lastname].filter(Boolean).join(' ') || '—' },
        { label: 'Added', cell: (c) => formatDate(c.dateAdded) },
      ],
      rows: page.contacts,
      empty: 'No contacts in this segment.',
    }),
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages' },
      h(
        'span',
        { class: 'muted' },
        `${page.contacts.length ? start + 1 : 0}–${start + page.contacts.length} of ${page.total}`,
      ),
      start > 0
        ? h('a', { class: 'button', href: base + query({ start: Math.max(0, start - 30) || null }) }, '← Previous')
        : null,
      start + page.contacts.length < page.total
        ? h('a', { class: 'button', href: base + query({ start: start + 30 }) }, 'Next →')
        : null,
    ),
  );
}

/** Upload a CSV into a segment and follow the import: a progress bar, its counters and its bad rows. @param {ViewContext} ctx */
export async function segmentImportPage(ctx) {
  const id = ctx.params.id;
  ctx.title('Import contacts');
  const { list } = await api('GET', `/api/segments/${id}`);
  if (!ctx.current()) return;
  const alert = alertBox();
  const status = h('div', { class: 'import-status', 'aria-live': 'polite' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      null,
      alert,
      field({
        name: 'file',
        label: 'CSV file',
        type: 'file',
        hint: 'A header row; , or ; between values; id or email identifies a contact; other columns become custom fields.',
        attrs: { accept: '.csv,text/csv' },
      }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Upload and import')),
    )
  );
  /** @param {any} imp */
  const show = (imp) =>
    replace(
      status,
      h('p', null, `Import ${imp.id}: ${imp.status}`),
      h('progress', { max: 1, value: imp.progress, 'aria-label': 'Import progress' }),
      h(
        'p',
        null,
        `${imp.processed} rows read: ${imp.created} created, ${imp.updated} updated, ${imp.unchanged} unchanged, ${imp.failed} failed`,
      ),
      imp.error ? h('p', { class: 'field-error' }, imp.error) : null,
      imp.errors.length
        ? table({
            caption: 'Rows not imported',
            columns: [
              { label: 'Row', cell: (e) => String(e.row) },
              { label: 'Reason', cell: (e) => e.message },
            ],
            rows: imp.errors,
          })
        : null,
    );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const file = /** @type {HTMLInputElement} */ (form.elements.namedItem('file')).files?.[0];
    if (!file)
      return showError(
        form,
        alert,
        Object.assign(new Error('Choose a file.'), { details: { file: ['Choose a file.'] } }),
      );
    void busy(form, async () => {
      try {
        const res = await fetch(`/api/segments/${id}/import`, {
          method: 'POST',
          headers: { authorization: session.authorization() ?? '', 'content-type': 'text/csv' },
          body: file,
          credentials: 'omit',
        });
        const body = await res.json();
        if (!res.ok)
          throw Object.assign(new Error(body?.errors?.[0]?.message ?? `Upload failed (${res.status}).`), {
            details: {},
          });
        let imp = body.import;
        while (ctx.current()) {
          imp = (await api('GET', `/api/imports/${imp.id}`)).import;
          show(imp);
          if (imp.status === 'completed' || imp.status === 'failed') break;
          await new Promise((resolve) => setTimeout(resolve, 700));
        }
      } catch (error) {
        showError(form, alert, error);
      }
    });
  });
  replace(
    ctx.main,
    h(
      'div',
      { class: 'page-header' },
      h('h1', null, `Import into ${list.name}`),
      h('a', { class: 'button', href: `/admin/segments/${id}/contacts` }, 'Segment contacts'),
    ),
    form,
    status,
  );
}
