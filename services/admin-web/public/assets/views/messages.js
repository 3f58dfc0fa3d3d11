import { api } from '../api.js';
import {
  alertBox,
  busy,
  checked,
  clearErrors,
  errorBlock,
  field,
  formatDate,
  fromLocalInput,
  h,
  loading,
  noticeBox,
  replace,
  showError,
  table,
  toLocalInput,
  valueOf,
} from '../dom.js';
import { variantChoice } from './content.js';
import { CHANNEL_CONTENT, channelLabel, listPage, loadChannels, loadContentOptions, publishedBadge } from './shared.js';

/** @typedef {import('../app.js').ViewContext} ViewContext */

/** @param {ViewContext} ctx */
export function messagesPage(ctx) {
  return listPage(ctx, {
    title: 'Marketing messages',
    apiPath: '/api/messages',
    listKey: 'messages',
    caption: 'Marketing messages',
    newHref: '/admin/messages/new',
    newLabel: 'New message',
    searchLabel: 'Search by name',
    before: ctx.flash ? [withText(noticeBox(), ctx.flash)] : [],
    columns: [
      { label: 'ID', cell: (m) => String(m.id), className: 'num' },
      { label: 'Name', cell: (m) => h('a', { href: `/admin/messages/${m.id}` }, m.name || '(no name)') },
      { label: 'Status', cell: (m) => publishedBadge(m.isPublished) },
      {
        label: 'Channels',
        cell: (m) =>
          (Array.isArray(m.channels) ? m.channels : []).map((/** @type {any} */ c) =>
            h(
              'span',
              { class: `badge ${c.isEnabled ? '' : 'off'}`.trim(), title: c.channelName ?? undefined },
              channelLabel(c.channel),
            ),
          ),
      },
      { label: 'Modified', cell: (m) => formatDate(m.dateModified ?? m.dateAdded) },
    ],
  });
}

/** @param {HTMLElement} el @param {string} text */
function withText(el, text) {
  el.textContent = text;
  return el;
}

/**
 * One channel row of the form: whether it is on, which content item it sends, and its position.
 * @typedef {{ channel: string, channelId: number | null, isEnabled: boolean, available: boolean, up: boolean, known: boolean }} ChannelRow
 */

/** Create (`/admin/messages/new`) or edit (`/admin/messages/:id`) a marketing message. @param {ViewContext} ctx */
export async function messageEditPage(ctx) {
  const id = ctx.params.id ?? null;
  ctx.title(id ? `Message ${id}` : 'New message');
  replace(ctx.main, loading());

  const [messageResult, channelsResult] = await Promise.allSettled([
    id ? api('GET', `/api/messages/${encodeURIComponent(id)}`) : Promise.resolve(null),
    loadChannels(),
  ]);
  if (!ctx.current()) return;
  if (messageResult.status === 'rejected') {
    replace(ctx.main, backLink(), h('h1', null, `Message ${id}`), errorBlock(messageResult.reason));
    return;
  }
  const message = messageResult.value?.message ?? null;
  const channels = channelsResult.status === 'fulfilled' ? channelsResult.value : [];
  const channelsError = channelsResult.status === 'rejected' ? channelsResult.reason : null;

  /** @type {ChannelRow[]} rows: the message's own channels in its order, then the other available ones */
  const rows = [];
  for (const c of Array.isArray(message?.channels) ? message.channels : []) {
    const status = channels.find((x) => x.channel === c.channel);
    rows.push({
      channel: c.channel,
      channelId: c.channelId ?? null,
      isEnabled: Boolean(c.isEnabled),
      available: Boolean(status?.available),
      up: Boolean(status?.up),
      known: true,
    });
  }
  for (const c of channels) {
    if (c.available && !rows.some((r) => r.channel === c.channel)) {
      rows.push({
        channel: c.channel,
        channelId: null,
        isEnabled: false,
        available: true,
        up: Boolean(c.up),
        known: false,
      });
    }
  }

  const alert = alertBox();
  const notice = noticeBox();
  if (ctx.flash) notice.textContent = ctx.flash;
  const channelSection = h('div', null, loading('Loading content…'));
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { novalidate: true, class: 'card', 'aria-labelledby': 'message-title' },
      alert,
      field({ name: 'name', label: 'Name', value: message?.name ?? '', required: true, attrs: { maxlength: 191 } }),
      field({
        name: 'description',
        label: 'Description',
        type: 'textarea',
        rows: 3,
        value: message?.description ?? '',
      }),
      h(
        'div',
        { class: 'form-grid' },
        field({
          name: 'publishUp',
          label: 'Publish from',
          type: 'datetime-local',
          value: toLocalInput(message?.publishUp),
          hint: 'Empty: from now on.',
        }),
        field({
          name: 'publishDown',
          label: 'Publish until',
          type: 'datetime-local',
          value: toLocalInput(message?.publishDown),
          hint: 'Empty: no end.',
        }),
      ),
      field({ name: 'isPublished', label: 'Published', type: 'checkbox', value: message ? message.isPublished : true }),
      h(
        'fieldset',
        { 'data-field': 'channels' },
        h('legend', null, 'Channels'),
        h(
          'p',
          { class: 'hint muted' },
          'Routing tries the contact’s preferred channel first, then the channels in this order.',
        ),
        h('p', { class: 'field-error' }),
        channelSection,
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, id ? 'Save' : 'Create message'),
        h('a', { class: 'button', href: '/admin/messages' }, 'Cancel'),
        id ? h('button', { type: 'button', class: 'danger', onclick: () => void remove() }, 'Delete') : null,
      ),
    )
  );

  replace(
    ctx.main,
    backLink(),
    h(
      'div',
      { class: 'page-header' },
      h('h1', { id: 'message-title' }, id ? message?.name || `Message ${id}` : 'New message'),
    ),
    notice,
    id ? h('div', { class: 'two-col' }, form, h('div', null, sendPanel(id), statsPanel(id))) : form,
    id ? messagePreviewPanel(id) : null,
  );

  renderChannelRows(channelSection, rows, channelsError);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    notice.textContent = '';
    /** @type {Record<string, { channelId: number | null, isEnabled: boolean }>} */
    const channelInput = {};
    for (const row of rows) {
      if (row.known || row.isEnabled || row.channelId !== null)
        channelInput[row.channel] = { channelId: row.channelId, isEnabled: row.isEnabled };
    }
    const body = {
      name: valueOf(form, 'name'),
      description: valueOf(form, 'description') || null,
      isPublished: checked(form, 'isPublished'),
      publishUp: fromLocalInput(valueOf(form, 'publishUp')),
      publishDown: fromLocalInput(valueOf(form, 'publishDown')),
      channels: channelInput,
    };
    void busy(form, async () => {
      try {
        if (id) {
          await api('PATCH', `/api/messages/${encodeURIComponent(id)}/edit`, body);
          for (const row of rows) if (channelInput[row.channel]) row.known = true;
          clearErrors(form);
          notice.textContent = 'Saved.';
        } else {
          const created = await api('POST', '/api/messages/new', body);
          ctx.navigate(`/admin/messages/${created.message.id}`, { replace: true, flash: 'Message created.' });
        }
      } catch (error) {
        showError(form, alert, error);
      }
    });
  });

  async function remove() {
    if (!window.confirm(`Delete the message “${message?.name ?? id}”? This cannot be undone.`)) return;
    try {
      await api('DELETE', `/api/messages/${encodeURIComponent(String(id))}/delete`);
      ctx.navigate('/admin/messages', { flash: 'Message deleted.' });
    } catch (error) {
      showError(form, alert, error);
    }
  }
}

function backLink() {
  return h('p', { class: 'breadcrumb' }, h('a', { href: '/admin/messages' }, '← Marketing messages'));
}

/**
 * The channels table: enable, pick the content item, move up/down. Content options load per type.
 * @param {HTMLElement} container
 * @param {ChannelRow[]} rows
 * @param {unknown} channelsError
 */
async function renderChannelRows(container, rows, channelsError) {
  const types = [...new Set(rows.map((r) => CHANNEL_CONTENT[r.channel]?.type).filter(Boolean))];
  const loaded = await Promise.allSettled(types.map((t) => loadContentOptions(/** @type {string} */ (t))));
  /** @type {Record<string, { items: any[], error: unknown }>} */
  const content = {};
  types.forEach((t, i) => {
    const result = loaded[i];
    content[/** @type {string} */ (t)] =
      result.status === 'fulfilled' ? { items: result.value, error: null } : { items: [], error: result.reason };
  });

  const draw = () => {
    const body = h('tbody');
    rows.forEach((row, index) => {
      const where = CHANNEL_CONTENT[row.channel];
      const source = where ? content[where.type] : undefined;
      const items = (source?.items ?? []).filter(
        (item) => where?.mobile === undefined || Boolean(item.mobile) === where.mobile,
      );
      const label = channelLabel(row.channel);
      const enableId = `ch-${row.channel}-enabled`;
      const selectId = `ch-${row.channel}-item`;
      const errorId = `ch-${row.channel}-error`;
      const select = h(
        'select',
        {
          id: selectId,
          'aria-label': `${label} content`,
          'aria-describedby': errorId,
          onchange: (/** @type {Event} */ e) => {
            const value = /** @type {HTMLSelectElement} */ (e.target).value;
            row.channelId = value ? Number(value) : null;
          },
        },
        h('option', { value: '' }, items.length ? '— choose —' : '— none yet —'),
        items.map((item) =>
          h('option', { value: String(item.id), selected: item.id === row.channelId }, `${item.name} (#${item.id})`),
        ),
        row.channelId !== null && !items.some((item) => item.id === row.channelId)
          ? h('option', { value: String(row.channelId), selected: true }, `#${row.channelId}`)
          : null,
      );
      body.append(
        h(
          'tr',
          null,
          h(
            'td',
            { 'data-field': `channels.${row.channel}` },
            h('input', {
              type: 'checkbox',
              id: enableId,
              checked: row.isEnabled,
              onchange: (/** @type {Event} */ e) => {
                row.isEnabled = /** @type {HTMLInputElement} */ (e.target).checked;
              },
            }),
            ' ',
            h('label', { for: enableId }, label),
            row.available ? null : h('div', null, h('span', { class: 'badge bad' }, 'unavailable')),
            row.available && !row.up
              ? h(
                  'div',
                  null,
                  h(
                    'span',
                    { class: 'badge warn', title: 'Deployed but not running: sends wait for it' },
                    'sender down',
                  ),
                )
              : null,
            h('p', { class: 'field-error' }),
          ),
          h(
            'td',
            { 'data-field': `channels.${row.channel}.channelId` },
            select,
            source?.error
              ? h('p', { class: 'load-error' }, `Could not load content: ${errorText(source.error)}`)
              : null,
            h('p', { class: 'field-error', id: errorId }),
          ),
          h(
            'td',
            { class: 'cell-actions' },
            h(
              'button',
              {
                type: 'button',
                class: 'small',
                disabled: index === 0,
                'aria-label': `Move ${label} up`,
                onclick: () => move(index, -1),
              },
              '↑',
            ),
            ' ',
            h(
              'button',
              {
                type: 'button',
                class: 'small',
                disabled: index === rows.length - 1,
                'aria-label': `Move ${label} down`,
                onclick: () => move(index, 1),
              },
              '↓',
            ),
          ),
        ),
      );
    });
    replace(
      container,
      channelsError
        ? h('p', { class: 'load-error' }, `Channel status is unavailable: ${errorText(channelsError)}`)
        : null,
      rows.length === 0
        ? h('p', { class: 'muted' }, 'No channel is available right now: start a sender to offer its channel.')
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'channel-rows' },
              h('caption', { class: 'visually-hidden' }, 'Channels of this message, in routing order'),
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', { scope: 'col' }, 'Channel'),
                  h('th', { scope: 'col' }, 'Content'),
                  h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Order')),
                ),
              ),
              body,
            ),
          ),
    );
  };

  /** @param {number} index @param {number} delta */
  const move = (index, delta) => {
    const [row] = rows.splice(index, 1);
    rows.splice(index + delta, 0, row);
    draw();
    /** @type {HTMLElement | null} */ (container.querySelector(`#ch-${row.channel}-enabled`))?.focus();
  };
  draw();
}

/** @param {unknown} error */
function errorText(error) {
  return error instanceof Error ? error.message : String(error);
}

/** Sends this message to one contact (one send request). @param {string} id */
function sendPanel(id) {
  const alert = alertBox();
  const notice = noticeBox();
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { novalidate: true, class: 'card', 'aria-labelledby': 'send-title' },
      h('h2', { id: 'send-title' }, 'Send to a contact'),
      alert,
      notice,
      field({ name: 'contactId', label: 'Contact ID', required: true, attrs: { autocomplete: 'off' } }),
      h('button', { type: 'submit' }, 'Send'),
    )
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    notice.textContent = '';
    const contactId = valueOf(form, 'contactId').trim();
    if (!contactId) {
      showError(form, alert, {
        message: 'A contact ID is required.',
        details: { contactId: ['A contact ID is required.'] },
      });
      return;
    }
    void busy(form, async () => {
      try {
        const result = await api(
          'POST',
          `/api/messages/${encodeURIComponent(id)}/contact/${encodeURIComponent(contactId)}/send`,
        );
        clearErrors(form);
        notice.textContent = `Queued for ${contactId}${result?.sendId ? ` (send ${result.sendId})` : ''}. Its outcome appears in the deliveries log.`;
      } catch (error) {
        showError(form, alert, error);
      }
    });
  });
  return form;
}

/**
 * Every enabled channel of the saved message rendered for one contact, side by side
 * (`POST /api/messages/{id}/preview`).
 * @param {string} id
 */
function messagePreviewPanel(id) {
  const alert = alertBox();
  const output = h('div', { class: 'side-by-side', 'aria-live': 'polite' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { novalidate: true, class: 'card', 'aria-labelledby': 'message-preview-title' },
      h('h2', { id: 'message-preview-title' }, 'Preview every channel'),
      h('p', { class: 'muted' }, 'Renders the saved message’s enabled channels, as each would be sent.'),
      alert,
      h(
        'div',
        { class: 'decision' },
        field({
          name: 'contactId',
          label: 'Contact ID',
          hint: 'Optional: render with this contact’s fields instead of sample ones.',
          attrs: { autocomplete: 'off' },
        }),
        h('button', { type: 'submit' }, 'Preview channels'),
      ),
      output,
    )
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const contactId = valueOf(form, 'contactId').trim();
    void busy(form, async () => {
      try {
        const { preview } = await api(
          'POST',
          `/api/messages/${encodeURIComponent(id)}/preview`,
          contactId ? { contactId } : {},
        );
        clearErrors(form);
        const channels = Array.isArray(preview?.channels) ? preview.channels : [];
        replace(
          output,
          channels.length > 0
            ? channels.map((/** @type {any} */ c) => channelPreview(c))
            : h('p', { class: 'muted' }, 'No channel is enabled with content.'),
        );
      } catch (error) {
        showError(form, alert, error);
        output.replaceChildren();
      }
    });
  });
  return form;
}

/** One channel of a message preview: what its contact would get, or why it cannot render. @param {any} c */
function channelPreview(c) {
  const label = channelLabel(c.channel);
  const type = CHANNEL_CONTENT[c.channel]?.type;
  /** @type {import('../dom.js').Child[]} */
  const parts = [];
  const text = (/** @type {string} */ name, /** @type {unknown} */ value) =>
    value === null || value === undefined || value === ''
      ? null
      : [h('h4', { class: 'label' }, name), h('pre', null, String(value))];
  const html = (/** @type {string} */ name, /** @type {unknown} */ value) =>
    typeof value === 'string'
      ? [
          h('h4', { class: 'label' }, name),
          h('iframe', { title: `${label} preview`, sandbox: '', srcdoc: value, referrerpolicy: 'no-referrer' }),
        ]
      : null;
  if (!c.error && 'variant' in c) parts.push(variantChoice(c.variant));
  if (c.error) {
    parts.push(h('div', { class: 'alert', role: 'alert' }, c.error.message ?? 'This channel cannot be previewed.'));
  } else if (c.channel === 'email') {
    parts.push(text('Subject', c.subject), text('From name', c.fromName), html('HTML', c.html), text('Text', c.text));
  } else if (c.channel === 'sms') {
    parts.push(
      text('Text', c.message),
      c.segments
        ? h('p', { class: 'muted' }, `${c.segments} segment${c.segments === 1 ? '' : 's'}, ${c.encoding}`)
        : null,
    );
  } else if (c.channel === 'tweet') {
    parts.push(text('Text', c.text));
  } else if (c.channel === 'inapp') {
    parts.push(text('Title', c.title), html('Body', c.body), text('Link', c.url));
  } else {
    parts.push(text('Heading', c.heading), text('Message', c.message), text('Link', c.url));
  }
  return h(
    'section',
    { class: 'channel-preview', 'aria-label': `${label} preview` },
    h(
      'h3',
      null,
      label,
      ' ',
      type && c.contentId
        ? h('a', { class: 'muted small-link', href: `/admin/content/${type}/${c.contentId}` }, `#${c.contentId}`)
        : null,
    ),
    parts,
  );
}

/** @type {Record<string, string>} */
const STAT_LABELS = {
  reach: 'Reach (contacts)',
  shipments: 'Shipments',
  sent: 'Sent',
  delivered: 'Delivered',
  failed: 'Failed',
  bounced: 'Bounced',
  opened: 'Opens',
  uniqueOpened: 'Unique opens',
  clicked: 'Clicks',
  uniqueClicked: 'Unique clicks',
  unsubscribed: 'Unsubscribed',
  complained: 'Complaints',
  deferred: 'Deferred',
  suppressed: 'Suppressed (not routed)',
};

const STAT_KEYS = [
  'reach',
  'shipments',
  'sent',
  'delivered',
  'failed',
  'bounced',
  'opened',
  'uniqueOpened',
  'clicked',
  'uniqueClicked',
  'unsubscribed',
  'complained',
  'deferred',
  'suppressed',
];

/** The figures `stats.variants` has per variant (VARIANT_FIGURES in libs/contracts). */
const VARIANT_KEYS = [
  'sent',
  'delivered',
  'failed',
  'bounced',
  'opened',
  'uniqueOpened',
  'clicked',
  'uniqueClicked',
  'unsubscribed',
];

const DAILY_KEYS = [
  'date',
  'channel',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'bounced',
  'failed',
  'unsubscribed',
  'suppressed',
];

/** The message's statistics per channel (`GET /api/messages/{id}/stats`). @param {string} id */
function statsPanel(id) {
  const body = h('div', null, loading());
  const panel = h(
    'section',
    { class: 'card', 'aria-labelledby': 'stats-title' },
    h(
      'div',
      { class: 'page-header' },
      h('h2', { id: 'stats-title' }, 'Statistics'),
      h('button', { type: 'button', class: 'small', onclick: () => void load() }, 'Refresh'),
    ),
    body,
  );
  const load = async () => {
    replace(body, loading());
    try {
      const data = await api('GET', `/api/messages/${encodeURIComponent(id)}/stats`);
      replace(body, renderStats(data));
    } catch (error) {
      replace(body, errorBlock(error));
    }
  };
  void load();
  return panel;
}

/**
 * The figures of each content variant sent (DESIGN §7.2), a column per variant (and channel, when
 * variants went out on more than one); none when the message's content has no variants.
 * @param {unknown} variants `stats.variants`: `[{channel, variant, sent, ...}]`, variant null for the base content
 */
function variantStats(variants) {
  const rows = Array.isArray(variants) ? variants : [];
  if (!rows.some((v) => v?.variant)) return null;
  const channels = new Set(rows.map((v) => v.channel));
  const name = (/** @type {any} */ v) => (v.variant ? `Variant ${v.variant}` : 'Base content');
  return [
    h(
      'section',
      { 'aria-labelledby': 'variant-stats-title' },
      h('h3', { id: 'variant-stats-title' }, 'Per variant'),
      table({
        caption: 'Statistics per variant',
        columns: [
          { label: 'Figure', cell: (r) => STAT_LABELS[r.key] ?? r.key },
          ...rows.map((v) => ({
            label: channels.size > 1 ? `${channelLabel(v.channel)} · ${name(v)}` : name(v),
            className: 'num',
            cell: (/** @type {any} */ r) => String(v[r.key] ?? 0),
          })),
        ],
        rows: VARIANT_KEYS.filter((k) => rows.some((v) => typeof v[k] === 'number')).map((key) => ({ key })),
      }),
    ),
    h('h3', null, 'Per channel'),
  ];
}

/**
 * Renders per-channel figures from the stats answer, whichever of the documented shapes it has
 * (`{stats: {channels: {...}, daily: [...]}}`, channels as a list or keyed by channel).
 * @param {any} data
 */
function renderStats(data) {
  const stats = data?.stats ?? data ?? {};
  const rawChannels = stats.channels ?? stats.perChannel ?? stats.byChannel ?? {};
  /** @type {[string, any][]} */
  const perChannel = Array.isArray(rawChannels)
    ? rawChannels.map((c) => [String(c.channel), c])
    : Object.entries(rawChannels);
  const totals = stats.totals ?? stats.total ?? null;
  if (perChannel.length === 0 && !totals && !stats.variants?.length) {
    return h('p', { class: 'muted' }, 'No figures yet.');
  }
  const present = STAT_KEYS.filter(
    (k) => perChannel.some(([, c]) => typeof c?.[k] === 'number') || typeof totals?.[k] === 'number',
  );
  const columnRows = perChannel.map(([channel, c]) => ({ channel, c }));
  if (totals) columnRows.push({ channel: 'all', c: totals });
  const daily = Array.isArray(stats.daily)
    ? stats.daily
    : Array.isArray(stats.series)
      ? stats.series
      : Array.isArray(stats.timeSeries)
        ? stats.timeSeries
        : [];
  return h(
    'div',
    null,
    variantStats(stats.variants),
    table({
      caption: 'Statistics per channel',
      columns: [
        { label: 'Figure', cell: (r) => STAT_LABELS[r.key] ?? r.key },
        ...columnRows.map((col) => ({
          label: col.channel === 'all' ? 'All' : channelLabel(col.channel),
          className: 'num',
          cell: (/** @type {any} */ r) => String(col.c?.[r.key] ?? 0),
        })),
      ],
      rows: present.map((key) => ({ key })),
      empty: 'No figures yet.',
    }),
    daily.length > 0
      ? h(
          'details',
          { class: 'preview' },
          h('summary', null, 'Daily'),
          table({
            caption: 'Daily figures',
            columns: DAILY_KEYS.filter((k) => k in daily[0]).map((k) => ({
              label: k,
              className: k === 'date' || k === 'channel' ? '' : 'num',
              cell: (/** @type {any} */ row) =>
                k === 'channel' ? (row.channel ? channelLabel(row.channel) : 'not routed') : String(row[k] ?? ''),
            })),
            rows: daily,
          }),
        )
      : null,
  );
}
