import { api, query } from '../api.js';
import {
  errorBlock,
  formatDate,
  fromLocalInput,
  h,
  loading,
  replace,
  statusBadge,
  table,
  toLocalInput,
} from '../dom.js';
import { CHANNELS, channelLabel } from './shared.js';

/** @typedef {import('../app.js').ViewContext} ViewContext */

const PAGE_SIZE = 50;
const FILTERS = ['messageId', 'contactId', 'channel', 'status', 'from', 'to', 'search'];
/** DELIVERY_STATUSES of the tracker's contract. */
const STATUSES = [
  'deferred',
  'routed',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'unsubscribed',
  'complained',
  'bounced',
  'failed',
  'suppressed',
];

/** The first of `keys` present on `row`. @param {any} row @param {string[]} keys */
const pick = (row, keys) => keys.map((k) => row?.[k]).find((v) => v !== undefined && v !== null);

/** The deliveries log with filters in the address and keyset paging (`after`). @param {ViewContext} ctx */
export async function deliveriesPage(ctx) {
  ctx.title('Deliveries');
  const base = window.location.pathname;
  /** @type {Record<string, string>} */
  const filters = {};
  for (const key of FILTERS) filters[key] = ctx.query.get(key) ?? '';
  const after = ctx.query.get('after') ?? '';

  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { role: 'search', class: 'card', 'aria-label': 'Filter deliveries' },
      h(
        'div',
        { class: 'form-grid' },
        input('messageId', 'Message ID', filters.messageId, { inputmode: 'numeric' }),
        input('contactId', 'Contact ID', filters.contactId),
        select('channel', 'Channel', filters.channel, [
          ['', 'Any'],
          ...CHANNELS.map((c) => /** @type {[string, string]} */ ([c, channelLabel(c)])),
        ]),
        select('status', 'Status', filters.status, [
          ['', 'Any'],
          ...STATUSES.map((v) => /** @type {[string, string]} */ ([v, v])),
        ]),
        input('from', 'From', toLocalInput(filters.from), { type: 'datetime-local' }),
        input('to', 'To', toLocalInput(filters.to), { type: 'datetime-local' }),
        input('search', 'Contact email or name', filters.search, { type: 'search' }),
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Apply filters'),
        h('a', { class: 'button', href: base }, 'Reset'),
      ),
    )
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    /** @type {Record<string, string | null>} */
    const next = {};
    for (const key of FILTERS) {
      const el = /** @type {HTMLInputElement} */ (form.elements.namedItem(key));
      const value = el.value.trim();
      next[key] = key === 'from' || key === 'to' ? fromLocalInput(value) : value;
    }
    ctx.navigate(base + query(next));
  });

  const results = h('div', { 'aria-live': 'polite' }, loading());
  replace(ctx.main, h('div', { class: 'page-header' }, h('h1', null, 'Deliveries')), form, results);

  let data;
  try {
    data = await api('GET', `/api/deliveries${query({ ...filters, after, limit: PAGE_SIZE })}`);
  } catch (error) {
    if (ctx.current()) replace(results, errorBlock(error));
    return;
  }
  if (!ctx.current()) return;
  const rows = Array.isArray(data?.deliveries) ? data.deliveries : [];
  // The answer's own cursor when it gives one (null = last page); else the last row's id on a full page.
  const cursorKey = ['next', 'nextAfter', 'nextCursor', 'cursor'].find(
    (k) => data && typeof data === 'object' && k in data,
  );
  const cursor = cursorKey
    ? data[cursorKey]
    : rows.length === PAGE_SIZE
      ? pick(rows[rows.length - 1], ['cursor', 'id'])
      : undefined;
  const nextHref =
    cursor !== undefined && cursor !== null && rows.length > 0
      ? base + query({ ...filters, after: String(cursor) })
      : null;

  replace(
    results,
    table({
      caption: 'Deliveries',
      columns: [
        { label: 'When', cell: (d) => formatDate(pick(d, ['dateAdded', 'dateModified'])) },
        {
          label: 'Contact',
          cell: (d) => {
            const contactId = pick(d, ['contactId']) ?? d.contact?.id;
            const who = [d.contact?.name, d.contact?.email].filter(Boolean).join(' · ');
            return contactId === undefined
              ? '—'
              : [
                  h('a', { href: `/admin/contacts/${encodeURIComponent(String(contactId))}` }, String(contactId)),
                  who ? h('div', { class: 'muted' }, who) : null,
                ];
          },
        },
        {
          label: 'Message',
          cell: (d) => {
            const messageId = pick(d, ['messageId']);
            return messageId === undefined
              ? '—'
              : h(
                  'a',
                  { href: `/admin/messages/${encodeURIComponent(String(messageId))}` },
                  pick(d, ['messageName']) ?? `#${messageId}`,
                );
          },
        },
        { label: 'Campaign', cell: (d) => String(pick(d, ['campaignId']) ?? '—') },
        { label: 'Channel', cell: (d) => (d.channel ? channelLabel(d.channel) : '—') },
        { label: 'Status', cell: (d) => statusBadge(d.status) },
        { label: 'Details', cell: details },
      ],
      rows,
      empty: after ? 'No more deliveries.' : 'No deliveries match these filters.',
    }),
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages' },
      h('span', { class: 'muted' }, `${rows.length} shown`),
      h(
        'span',
        { class: 'actions' },
        after ? h('a', { class: 'button', href: base + query(filters) }, '⇤ First page') : null,
        nextHref ? h('a', { class: 'button', href: nextHref, rel: 'next' }, 'Next page →') : null,
      ),
    ),
  );
}

/** Why the send went where it went: skipped channels, the routing failure, the provider's error, opens and clicks. @param {any} d */
function details(d) {
  const skipped = (Array.isArray(d.reasons) ? d.reasons : []).map((/** @type {any} */ r) =>
    typeof r === 'object' && r !== null
      ? `${channelLabel(r.channel)} skipped: ${r.reason}${r.detail ? ` (${r.detail})` : ''}`
      : String(r),
  );
  const lines = [
    ...skipped,
    d.failureReason ? `Routing failed: ${d.failureReason}` : null,
    d.error?.message ? `Provider: ${d.error.message}${d.error.code ? ` [${d.error.code}]` : ''}` : null,
    d.opens || d.clicks ? `${d.opens ?? 0} opens, ${d.clicks ?? 0} clicks` : null,
  ].filter(Boolean);
  return lines.map((line) => h('div', null, line));
}

/** @param {string} name @param {string} label @param {string} value @param {Record<string, string>} [attrs] */
function input(name, label, value, attrs = {}) {
  const id = `filter-${name}`;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name, value, type: 'text', ...attrs }),
  );
}

/** @param {string} name @param {string} label @param {string} value @param {[string, string][]} options */
function select(name, label, value, options) {
  const id = `filter-${name}`;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'select',
      { id, name },
      options.map(([v, t]) => h('option', { value: v, selected: v === value }, t)),
    ),
  );
}
