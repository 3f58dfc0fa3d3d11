import { api, query } from '../api.js';
import { errorBlock, h, loading, replace, table } from '../dom.js';

/** Channel keys of DESIGN §2, in their default order. */
export const CHANNELS = ['email', 'sms', 'notification', 'mobile_notification', 'tweet', 'inapp'];

/** @type {Record<string, string>} */
export const CHANNEL_LABELS = {
  email: 'Email',
  sms: 'Text message (SMS)',
  notification: 'Web push notification',
  mobile_notification: 'Mobile push notification',
  tweet: 'Tweet',
  inapp: 'In-app inbox',
};

/** @param {string} channel */
export const channelLabel = (channel) => CHANNEL_LABELS[channel] ?? channel;

/**
 * Where each channel's content lives: the content type's path, and for notifications whether
 * the item is the mobile kind.
 * @type {Record<string, { type: string, mobile?: boolean }>}
 */
export const CHANNEL_CONTENT = {
  email: { type: 'emails' },
  sms: { type: 'smses' },
  notification: { type: 'notifications', mobile: false },
  mobile_notification: { type: 'notifications', mobile: true },
  tweet: { type: 'tweets' },
  inapp: { type: 'inappmessages' },
};

export const PAGE_SIZE = 30;

/**
 * The items of a list answer: an array, or Mautic's object keyed by id (emails, segments,
 * contacts, campaigns...). JSON.parse puts integer-like keys in ascending order, so an id-keyed
 * list comes back by id whatever `orderBy` asked: a caller that wants another order sorts again.
 * @param {any} data @param {string} key @returns {any[]}
 */
export const listItems = (data, key) => (Array.isArray(data?.[key]) ? data[key] : Object.values(data?.[key] ?? {}));

/** By name, as the pickers show items. @param {any[]} items */
export const byName = (items) => items.sort((a, b) => String(a.name ?? '').localeCompare(String(b.name ?? '')));

/**
 * @typedef {object} ListSpec
 * @property {string} title page heading
 * @property {string} apiPath e.g. `/api/messages`
 * @property {string} listKey key of the rows in the answer (`messages`)
 * @property {string} caption table caption
 * @property {string} [newHref] link to the create form
 * @property {string} [newLabel]
 * @property {string} [searchLabel]
 * @property {import('../dom.js').Column<any>[]} columns
 * @property {Record<string, string>} [extraQuery] added to every list request
 * @property {HTMLElement[]} [before] shown between the header and the list (flash, notes)
 */

/**
 * A searchable, paged list (`?search=&start=&limit=` → `{total, <listKey>: [...]}`); the search
 * and the page are in the address, so Back and deep links work.
 * @param {import('../app.js').ViewContext} ctx
 * @param {ListSpec} spec
 */
export async function listPage(ctx, spec) {
  ctx.title(spec.title);
  const search = ctx.query.get('search') ?? '';
  const start = Math.max(0, Number.parseInt(ctx.query.get('start') ?? '0', 10) || 0);
  const base = window.location.pathname;

  const searchForm = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { role: 'search', class: 'toolbar' },
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'list-search' }, spec.searchLabel ?? 'Search'),
        h('input', { id: 'list-search', type: 'search', name: 'search', value: search }),
      ),
      h('button', { type: 'submit' }, 'Search'),
      search ? h('a', { class: 'button', href: base }, 'Clear') : null,
    )
  );
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(
      base + query({ search: /** @type {HTMLInputElement} */ (searchForm.elements.namedItem('search')).value.trim() }),
    );
  });

  const results = h('div', { 'aria-live': 'polite' }, loading());
  replace(
    ctx.main,
    h(
      'div',
      { class: 'page-header' },
      h('h1', null, spec.title),
      spec.newHref ? h('a', { class: 'button primary', href: spec.newHref }, spec.newLabel ?? 'New') : null,
    ),
    spec.before ?? [],
    searchForm,
    results,
  );

  let data;
  try {
    data = await api('GET', spec.apiPath + query({ ...spec.extraQuery, search, start, limit: PAGE_SIZE }));
  } catch (error) {
    if (ctx.current()) replace(results, errorBlock(error));
    return;
  }
  if (!ctx.current()) return;
  const rows = listItems(data, spec.listKey);
  const total = typeof data?.total === 'number' ? data.total : Number(data?.total ?? rows.length);
  replace(
    results,
    table({
      caption: spec.caption,
      columns: spec.columns,
      rows,
      empty: search ? 'Nothing matches this search.' : 'Nothing here yet.',
    }),
    pager({ base, search, start, count: rows.length, total }),
  );
}

/** @param {{ base: string, search: string, start: number, count: number, total: number }} p */
function pager(p) {
  const from = p.count === 0 ? 0 : p.start + 1;
  const to = p.start + p.count;
  const prev =
    p.start > 0 ? p.base + query({ search: p.search, start: Math.max(0, p.start - PAGE_SIZE) || null }) : null;
  const next = to < p.total ? p.base + query({ search: p.search, start: p.start + PAGE_SIZE }) : null;
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    h('span', { class: 'muted' }, `${from}–${to} of ${p.total}`),
    h(
      'span',
      { class: 'actions' },
      prev ? h('a', { class: 'button', href: prev, rel: 'prev' }, '← Previous') : null,
      next ? h('a', { class: 'button', href: next, rel: 'next' }, 'Next →') : null,
    ),
  );
}

/** Content items of one type (up to 500, sorted by name) for a picker. @param {string} type e.g. `emails` */
export async function loadContentOptions(type) {
  const data = await api('GET', `/api/${type}${query({ limit: 500 })}`);
  return byName(listItems(data, type));
}

/** The channels of `GET /api/channels`. @returns {Promise<{ channel: string, available: boolean, up?: boolean, provider?: string, status?: string, instances?: number, unavailableReason?: string | null }[]>} */
export async function loadChannels() {
  const data = await api('GET', '/api/channels');
  return Array.isArray(data?.channels) ? data.channels : [];
}

/** A "Published"/"Unpublished" badge. @param {unknown} isPublished */
export function publishedBadge(isPublished) {
  return isPublished ? h('span', { class: 'badge ok' }, 'Published') : h('span', { class: 'badge' }, 'Unpublished');
}
