import { api } from '../api.js';
import {
  alertBox,
  busy,
  clearErrors,
  errorBlock,
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
import { CHANNELS, channelLabel, listPage } from './shared.js';

/** @typedef {import('../app.js').ViewContext} ViewContext */

/** Mautic's do-not-contact reasons. @type {Record<number, string>} */
const DNC_REASONS = { 1: 'Unsubscribed', 2: 'Bounced', 3: 'Manual', 4: 'Complained' };

/** @param {any} c */
const fullName = (c) => [c.firstname, c.lastname].filter(Boolean).join(' ');

/** @param {ViewContext} ctx */
export function contactsPage(ctx) {
  const open = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'toolbar', 'aria-label': 'Open a contact by ID' },
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'open-contact' }, 'Open by ID'),
        h('input', { id: 'open-contact', name: 'contactId', autocomplete: 'off' }),
      ),
      h('button', { type: 'submit' }, 'Open'),
    )
  );
  open.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = valueOf(open, 'contactId').trim();
    if (value) ctx.navigate(`/admin/contacts/${encodeURIComponent(value)}`);
  });
  return listPage(ctx, {
    title: 'Contacts',
    apiPath: '/api/contacts',
    listKey: 'contacts',
    caption: 'Contacts',
    searchLabel: 'Search by name, email or ID',
    before: [open],
    columns: [
      { label: 'ID', cell: (c) => h('a', { href: `/admin/contacts/${encodeURIComponent(c.id)}` }, String(c.id)) },
      { label: 'Name', cell: (c) => fullName(c) || '—' },
      { label: 'Email', cell: (c) => c.email ?? '—' },
      { label: 'Mobile', cell: (c) => c.mobile ?? '—' },
      { label: 'Preferred channel', cell: (c) => (c.preferredChannel ? channelLabel(c.preferredChannel) : '—') },
      {
        label: 'Do not contact',
        cell: (c) =>
          (Array.isArray(c.doNotContact) ? c.doNotContact : []).map((/** @type {any} */ d) =>
            h(
              'span',
              { class: 'badge bad', title: DNC_REASONS[d.reason] ?? String(d.reason) },
              channelLabel(d.channel),
            ),
          ),
      },
    ],
  });
}

/** One contact: addresses, preferences (preferred channel, frequency rules, pauses) and do-not-contact. @param {ViewContext} ctx */
export async function contactPage(ctx) {
  const id = ctx.params.id;
  ctx.title(`Contact ${id}`);
  replace(ctx.main, loading());
  let contact;
  try {
    contact = (await api('GET', `/api/contacts/${encodeURIComponent(id)}`))?.contact;
  } catch (error) {
    if (ctx.current()) replace(ctx.main, backLink(), h('h1', null, `Contact ${id}`), errorBlock(error));
    return;
  }
  if (!ctx.current()) return;
  const heading = h('h1', null, fullName(contact) || contact.email || `Contact ${id}`);
  const dnc = h('div');
  replace(
    ctx.main,
    backLink(),
    h('div', { class: 'page-header' }, heading),
    h(
      'div',
      { class: 'two-col' },
      preferencesForm(id, contact, (c) => {
        contact = c;
        renderDnc();
      }),
      dnc,
    ),
  );
  const renderDnc = () =>
    replace(
      dnc,
      dncPanel(id, contact, (c) => {
        contact = c;
        renderDnc();
      }),
    );
  renderDnc();
}

function backLink() {
  return h('p', { class: 'breadcrumb' }, h('a', { href: '/admin/contacts' }, '← Contacts'));
}

/** A date-time (ISO) as the value of an `<input type="date">`. @param {string | null | undefined} iso */
function dateInput(iso) {
  return iso ? String(iso).slice(0, 10) : '';
}

/**
 * @param {string} id
 * @param {any} contact
 * @param {(contact: any) => void} onSaved
 */
function preferencesForm(id, contact, onSaved) {
  const alert = alertBox();
  const notice = noticeBox();
  const rules = contact.frequencyRules ?? {};
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { novalidate: true, class: 'card', 'aria-labelledby': 'prefs-title' },
      h('h2', { id: 'prefs-title' }, 'Contact and preferences'),
      alert,
      notice,
      h(
        'div',
        { class: 'form-grid' },
        field({ name: 'firstname', label: 'First name', value: contact.firstname ?? '' }),
        field({ name: 'lastname', label: 'Last name', value: contact.lastname ?? '' }),
        field({ name: 'email', label: 'Email', type: 'email', value: contact.email ?? '' }),
        field({
          name: 'mobile',
          label: 'Mobile',
          type: 'tel',
          value: contact.mobile ?? '',
          hint: 'E.164, e.g. +14155550100',
        }),
        field({ name: 'twitterHandle', label: 'Twitter handle', value: contact.twitterHandle ?? '' }),
        field({
          name: 'timezone',
          label: 'Time zone',
          value: contact.timezone ?? '',
          hint: 'IANA name, e.g. Europe/Madrid',
        }),
        field({ name: 'locale', label: 'Locale', value: contact.locale ?? '' }),
        field({
          name: 'preferredChannel',
          label: 'Preferred channel',
          type: 'select',
          value: contact.preferredChannel ?? '',
          options: [
            ['', 'No preference'],
            ...CHANNELS.map((c) => /** @type {[string, string]} */ ([c, channelLabel(c)])),
          ],
        }),
      ),
      h(
        'fieldset',
        { 'data-field': 'frequencyRules' },
        h('legend', null, 'Frequency and pauses per channel'),
        h('p', { class: 'field-error' }),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            null,
            h('caption', { class: 'visually-hidden' }, 'Frequency rules and pause windows'),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['Channel', 'At most', 'Per', 'Paused from', 'Paused until'].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h(
              'tbody',
              null,
              CHANNELS.map((channel) => {
                const rule = rules[channel] ?? {};
                const label = channelLabel(channel);
                /** @param {string} key @param {string} what @param {HTMLElement} control */
                const cell = (key, what, control) => {
                  control.setAttribute('name', `frequencyRules.${channel}.${key}`);
                  control.setAttribute('aria-label', `${label}: ${what}`);
                  return h(
                    'td',
                    { 'data-field': `frequencyRules.${channel}.${key}` },
                    control,
                    h('p', { class: 'field-error' }),
                  );
                };
                return h(
                  'tr',
                  null,
                  h('th', { scope: 'row' }, label),
                  cell(
                    'frequencyNumber',
                    'at most this many messages',
                    h('input', {
                      type: 'number',
                      min: 0,
                      step: 1,
                      value: rule.frequencyNumber ?? '',
                      class: 'small-input',
                    }),
                  ),
                  cell(
                    'frequencyTime',
                    'per period',
                    h(
                      'select',
                      null,
                      [
                        ['', '—'],
                        ['DAY', 'day'],
                        ['WEEK', 'week'],
                        ['MONTH', 'month'],
                      ].map(([v, t]) => h('option', { value: v, selected: (rule.frequencyTime ?? '') === v }, t)),
                    ),
                  ),
                  cell('pauseFrom', 'paused from', h('input', { type: 'date', value: dateInput(rule.pauseFrom) })),
                  cell('pauseTo', 'paused until', h('input', { type: 'date', value: dateInput(rule.pauseTo) })),
                );
              }),
            ),
          ),
        ),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save')),
    )
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    notice.textContent = '';
    /** @type {Record<string, unknown>} */
    const frequencyRules = {};
    for (const channel of CHANNELS) {
      const read = (/** @type {string} */ key) => orNull(valueOf(form, `frequencyRules.${channel}.${key}`));
      const number = read('frequencyNumber');
      const rule = {
        frequencyNumber: number === null ? null : Number(number),
        frequencyTime: read('frequencyTime'),
        pauseFrom: read('pauseFrom'),
        pauseTo: read('pauseTo'),
      };
      const empty = Object.values(rule).every((v) => v === null);
      if (!empty || rules[channel]) frequencyRules[channel] = rule;
    }
    const body = {
      firstname: orNull(valueOf(form, 'firstname')),
      lastname: orNull(valueOf(form, 'lastname')),
      email: orNull(valueOf(form, 'email')),
      mobile: orNull(valueOf(form, 'mobile')),
      twitterHandle: orNull(valueOf(form, 'twitterHandle')),
      timezone: orNull(valueOf(form, 'timezone')),
      locale: orNull(valueOf(form, 'locale')),
      preferredChannel: orNull(valueOf(form, 'preferredChannel')),
      frequencyRules,
    };
    void busy(form, async () => {
      try {
        const data = await api('PATCH', `/api/contacts/${encodeURIComponent(id)}/edit`, body);
        clearErrors(form);
        notice.textContent = 'Saved.';
        if (data?.contact) onSaved(data.contact);
      } catch (error) {
        showError(form, alert, error);
      }
    });
  });
  return form;
}

/**
 * @param {string} id
 * @param {any} contact
 * @param {(contact: any) => void} onChanged
 */
function dncPanel(id, contact, onChanged) {
  const alert = alertBox();
  const entries = Array.isArray(contact.doNotContact) ? contact.doNotContact : [];
  const remove = async (/** @type {string} */ channel) => {
    try {
      const data = await api(
        'POST',
        `/api/contacts/${encodeURIComponent(id)}/dnc/${encodeURIComponent(channel)}/remove`,
        {},
      );
      onChanged(
        data?.contact ?? { ...contact, doNotContact: entries.filter((/** @type {any} */ e) => e.channel !== channel) },
      );
    } catch (error) {
      showError(section, alert, error);
    }
  };
  const addForm = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { novalidate: true, 'aria-labelledby': 'dnc-add-title' },
      h('h3', { id: 'dnc-add-title' }, 'Add'),
      h(
        'div',
        { class: 'form-grid' },
        field({
          name: 'channel',
          label: 'Channel',
          type: 'select',
          value: 'email',
          options: CHANNELS.map((c) => [c, channelLabel(c)]),
        }),
        field({ name: 'reason', label: 'Reason', type: 'select', value: '3', options: Object.entries(DNC_REASONS) }),
      ),
      field({ name: 'comments', label: 'Comments' }),
      h('button', { type: 'submit' }, 'Add do-not-contact'),
    )
  );
  addForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const channel = valueOf(addForm, 'channel');
    void busy(addForm, async () => {
      try {
        const data = await api(
          'POST',
          `/api/contacts/${encodeURIComponent(id)}/dnc/${encodeURIComponent(channel)}/add`,
          {
            reason: Number(valueOf(addForm, 'reason')),
            comments: orNull(valueOf(addForm, 'comments')),
          },
        );
        clearErrors(section);
        if (data?.contact) onChanged(data.contact);
      } catch (error) {
        showError(section, alert, error);
      }
    });
  });
  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'dnc-title' },
    h('h2', { id: 'dnc-title' }, 'Do not contact'),
    alert,
    table({
      caption: 'Do-not-contact entries',
      columns: [
        { label: 'Channel', cell: (e) => channelLabel(e.channel) },
        { label: 'Reason', cell: (e) => DNC_REASONS[e.reason] ?? String(e.reason) },
        { label: 'Comments', cell: (e) => e.comments ?? '' },
        { label: 'Since', cell: (e) => formatDate(e.dateAdded) },
        {
          label: 'Actions',
          className: 'cell-actions',
          cell: (e) =>
            h(
              'button',
              { type: 'button', class: 'small', onclick: () => void remove(e.channel) },
              `Remove (${channelLabel(e.channel)})`,
            ),
        },
      ],
      rows: entries,
      empty: 'The contact can be reached on every channel.',
    }),
    h('div', { class: 'preview' }, addForm),
  );
  return section;
}
