import { api, query } from '../api.js';
import {
  alertBox,
  busy,
  checked,
  errorBlock,
  field,
  formatDate,
  fromLocalInput,
  h,
  loading,
  noticeBox,
  orNull,
  replace,
  showError,
  statusBadge,
  table,
  toLocalInput,
  valueOf,
} from '../dom.js';
import { byName, listItems, listPage } from './shared.js';

/** @typedef {import('../app.js').ViewContext} ViewContext */

/** @type {[string, string][]} */
const STATUSES = [
  ['', 'Any status'],
  ['draft', 'Draft'],
  ['awaiting_approval', 'Awaiting approval'],
  ['scheduled', 'Scheduled'],
  ['sending', 'Sending'],
  ['completed', 'Completed'],
  ['canceled', 'Canceled'],
];
const STATUS_LABELS = Object.fromEntries(STATUSES);
/** How often a campaign page refreshes its shipments while one may be running. */
const LIVE_MS = 1_000;

/** @param {any} c */
const campaignLink = (c) => h('a', { href: `/admin/campaigns/${c.id}` }, String(c.name));
/** @param {string} status */
const campaignStatus = (status) =>
  h(
    'span',
    { class: `badge ${status === 'completed' ? 'ok' : status === 'canceled' ? 'off' : 'warn'}` },
    STATUS_LABELS[status] ?? status,
  );

/** @param {any} s */
function scheduleText(s) {
  if (!s || s.type === 'now') return 'As soon as approved';
  if (s.type === 'at') return `At ${formatDate(s.at)}`;
  return `Recurring: ${s.cron}${s.timezone ? ` (${s.timezone})` : ''}`;
}

/** Campaigns with the columns Modyo shows, filtered by status. @param {ViewContext} ctx */
export function campaignsPage(ctx) {
  const status = ctx.query.get('status') ?? '';
  const filter = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'toolbar', 'aria-label': 'Filter by status' },
      field({ name: 'status', label: 'Status', type: 'select', value: status, options: STATUSES }),
      h('button', { type: 'submit' }, 'Filter'),
    )
  );
  filter.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(`/admin/campaigns${query({ status: valueOf(filter, 'status') })}`);
  });
  return listPage(ctx, {
    title: 'Campaigns',
    apiPath: '/api/campaigns',
    listKey: 'campaigns',
    caption: 'Campaigns',
    newHref: '/admin/campaigns/new',
    newLabel: 'New campaign',
    searchLabel: 'Search by name or description',
    extraQuery: status ? { status } : {},
    before: [filter, h('p', null, h('a', { href: '/admin/campaigns/approvals' }, 'Approval queue'))],
    columns: [
      { label: 'Name', cell: campaignLink },
      { label: 'Status', cell: (c) => campaignStatus(c.status) },
      { label: 'Sent', cell: (c) => String(c.stats?.sent ?? 0), className: 'num' },
      { label: 'Failed', cell: (c) => String(c.stats?.failed ?? 0), className: 'num' },
      { label: 'Opened', cell: (c) => String(c.stats?.opened ?? 0), className: 'num' },
      { label: 'Last shipment', cell: (c) => formatDate(c.lastShipmentAt) },
      { label: 'Created', cell: (c) => formatDate(c.dateAdded) },
    ],
  });
}

/** One transition of a campaign; an answer that refuses it (403, 409) goes to `alert`. */
async function transition(/** @type {number} */ id, /** @type {string} */ action, /** @type {object} */ body = {}) {
  return (await api('POST', `/api/campaigns/${id}/${action}`, body)).campaign;
}

/** Campaigns submitted for approval, each with Approve and Reject (with a comment). @param {ViewContext} ctx */
export async function approvalsPage(ctx) {
  ctx.title('Approval queue');
  const alert = alertBox();
  const notice = noticeBox();
  const results = h('div', null, loading());
  replace(
    ctx.main,
    h('div', { class: 'page-header' }, h('h1', null, 'Approval queue')),
    alert,
    notice,
    h(
      'p',
      { class: 'muted' },
      'An approver other than the person who submitted a campaign approves it; a rejection sends it back to draft.',
    ),
    results,
  );
  const load = async () => {
    const campaigns = listItems(
      await api('GET', `/api/campaigns${query({ status: 'awaiting_approval', limit: 100 })}`),
      'campaigns',
    );
    if (!ctx.current()) return;
    replace(
      results,
      table({
        caption: 'Campaigns awaiting approval',
        rows: campaigns,
        empty: 'No campaign is waiting for approval.',
        columns: [
          { label: 'Name', cell: campaignLink },
          { label: 'Submitted by', cell: (c) => c.submittedBy ?? '—' },
          { label: 'Schedule', cell: (c) => scheduleText(c.schedule) },
          { label: 'Decision', cell: (c) => decisionForm(c) },
        ],
      }),
    );
  };
  /** @param {any} c */
  const decisionForm = (c) => {
    const form = /** @type {HTMLFormElement} */ (
      h(
        'form',
        { class: 'decision', 'aria-label': `Decision on ${c.name}` },
        field({ name: 'comment', label: `Comment for ${c.name}`, hint: 'Sent back with a rejection.' }),
        h('button', { type: 'submit', value: 'approve', class: 'primary' }, `Approve ${c.name}`),
        h('button', { type: 'submit', value: 'reject', class: 'danger' }, `Reject ${c.name}`),
      )
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const action = /** @type {HTMLButtonElement | null} */ (/** @type {SubmitEvent} */ (event).submitter)?.value;
      if (action !== 'approve' && action !== 'reject') return;
      void busy(form, async () => {
        try {
          const done = await transition(
            c.id,
            action,
            action === 'reject' ? { comment: orNull(valueOf(form, 'comment')) } : {},
          );
          replace(alert);
          replace(
            notice,
            action === 'approve'
              ? `${done.name} approved: ${STATUS_LABELS[done.status]}.`
              : `${done.name} sent back to draft.`,
          );
          await load();
        } catch (error) {
          showError(form, alert, error);
        }
      });
    });
    return form;
  };
  await load();
}

/** Create or edit a campaign: message, audience with its live count, schedule. @param {ViewContext} ctx */
export async function campaignEditPage(ctx) {
  const id = ctx.params.id;
  ctx.title(id ? 'Edit campaign' : 'New campaign');
  replace(ctx.main, loading());
  const [campaign, messages, segments] = await Promise.all([
    id
      ? api('GET', `/api/campaigns/${id}`).then((r) => r.campaign)
      : {
          name: '',
          description: null,
          messageId: null,
          audience: { include: [], exclude: [] },
          schedule: { type: 'now' },
        },
    api('GET', `/api/messages${query({ limit: 500, orderBy: 'name' })}`).then((r) => listItems(r, 'messages')),
    api('GET', `/api/segments${query({ limit: 500, orderBy: 'name' })}`).then((r) => byName(listItems(r, 'lists'))),
  ]);
  if (!ctx.current()) return;
  const alert = alertBox();
  const count = h('p', { class: 'live-count', 'aria-live': 'polite' }, 'Contacts in the audience: —');
  /** @param {string} name @param {string} legend @param {number[]} selected */
  const segmentBoxes = (name, legend, selected) =>
    h(
      'fieldset',
      { class: 'segment-picks', dataset: { field: `audience.${name}` } },
      h('legend', null, legend),
      segments.length === 0 ? h('p', { class: 'muted' }, 'No segments yet.') : null,
      segments.map((/** @type {any} */ s) =>
        field({ name: `${name}:${s.id}`, label: String(s.name), type: 'checkbox', value: selected.includes(s.id) }),
      ),
      h('p', { class: 'field-error' }),
    );
  const schedule = campaign.schedule ?? { type: 'now' };
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { novalidate: true },
      alert,
      field({ name: 'name', label: 'Name', value: campaign.name, required: true }),
      field({
        name: 'description',
        label: 'Description',
        type: 'textarea',
        rows: 2,
        value: campaign.description ?? '',
      }),
      field({
        name: 'messageId',
        label: 'Marketing message',
        type: 'select',
        value: campaign.messageId ? String(campaign.messageId) : '',
        options: [
          ['', 'Choose a message'],
          ...messages.map((/** @type {any} */ m) => /** @type {[string, string]} */ ([String(m.id), String(m.name)])),
        ],
        required: true,
      }),
      h('h2', null, 'Audience'),
      field({ name: 'all', label: 'All contacts', type: 'checkbox', value: campaign.audience?.all }),
      segmentBoxes('include', 'Send to the members of', campaign.audience?.include ?? []),
      segmentBoxes('exclude', 'Except the members of', campaign.audience?.exclude ?? []),
      count,
      h('h2', null, 'Schedule'),
      field({
        name: 'schedule.type',
        label: 'When',
        type: 'select',
        value: schedule.type,
        options: [
          ['now', 'As soon as approved'],
          ['at', 'At a date and time'],
          ['recurring', 'Recurring (cron)'],
        ],
      }),
      field({ name: 'schedule.at', label: 'Date and time', type: 'datetime-local', value: toLocalInput(schedule.at) }),
      field({
        name: 'schedule.cron',
        label: 'Cron expression',
        value: schedule.cron ?? '',
        hint: 'Five fields: minute hour day-of-month month day-of-week, e.g. 0 9 * * 1 for Mondays at 9:00.',
      }),
      field({
        name: 'schedule.timezone',
        label: 'Time zone',
        value: schedule.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
        hint: 'IANA name, e.g. Europe/Prague.',
      }),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', value: 'save' }, 'Save campaign'),
        h('button', { type: 'submit', value: 'submit' }, 'Save and submit for approval'),
      ),
    )
  );
  const picked = (/** @type {string} */ name) =>
    segments.filter((/** @type {any} */ s) => checked(form, `${name}:${s.id}`)).map((/** @type {any} */ s) => s.id);
  const audience = () => ({
    include: picked('include'),
    exclude: picked('exclude'),
    ...(checked(form, 'all') ? { all: true } : {}),
  });
  const showSchedule = () => {
    const type = valueOf(form, 'schedule.type');
    for (const [name, shown] of [
      ['schedule.at', type === 'at'],
      ['schedule.cron', type === 'recurring'],
      ['schedule.timezone', type === 'recurring'],
    ])
      /** @type {HTMLElement} */ (form.querySelector(`[data-field="${name}"]`)).hidden = !shown;
  };
  let timer = 0;
  let seq = 0;
  const recount = () => {
    clearTimeout(timer);
    timer = window.setTimeout(async () => {
      const mine = ++seq;
      const a = audience();
      if (!a.all && a.include.length === 0)
        return replace(count, 'Contacts in the audience: 0 (pick segments or all contacts)');
      try {
        const { count: n } = await api('POST', '/api/campaigns/audience/count', { audience: a });
        if (mine === seq) replace(count, `Contacts in the audience: ${n}`);
      } catch (error) {
        if (mine === seq)
          replace(count, `Contacts in the audience: — (${error instanceof Error ? error.message : error})`);
      }
    }, 250);
  };
  form.addEventListener('change', (event) => {
    const target = /** @type {HTMLInputElement} */ (event.target);
    if (target.name === 'schedule.type') showSchedule();
    if (target.name === 'all' || target.name.startsWith('include:') || target.name.startsWith('exclude:')) recount();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const andSubmit =
      /** @type {HTMLButtonElement | null} */ (/** @type {SubmitEvent} */ (event).submitter)?.value === 'submit';
    void busy(form, async () => {
      const type = valueOf(form, 'schedule.type');
      const body = {
        name: valueOf(form, 'name'),
        description: orNull(valueOf(form, 'description')),
        messageId: valueOf(form, 'messageId') || null,
        audience: audience(),
        schedule: {
          type,
          at: type === 'at' ? fromLocalInput(valueOf(form, 'schedule.at')) : null,
          cron: type === 'recurring' ? orNull(valueOf(form, 'schedule.cron')) : null,
          timezone: type === 'recurring' ? orNull(valueOf(form, 'schedule.timezone')) : null,
        },
      };
      try {
        let saved = id
          ? (await api('PUT', `/api/campaigns/${id}/edit`, body)).campaign
          : (await api('POST', '/api/campaigns/new', body)).campaign;
        if (andSubmit) saved = await transition(saved.id, 'submit');
        ctx.navigate(`/admin/campaigns/${saved.id}`, {
          flash: andSubmit ? 'Campaign saved and submitted for approval.' : 'Campaign saved.',
        });
      } catch (error) {
        showError(form, alert, error);
      }
    });
  });
  replace(
    ctx.main,
    h('div', { class: 'page-header' }, h('h1', null, id ? `Edit campaign: ${campaign.name}` : 'New campaign')),
    id && campaign.status !== 'draft'
      ? h('p', { class: 'notice' }, 'Saving sends this campaign back to draft: it needs approval again.')
      : null,
    form,
  );
  showSchedule();
  recount();
}

/** The buttons a campaign's status allows (the API still decides who may). @param {any} c */
function actionsFor(c) {
  /** @type {[string, string, string?][]} */
  const actions = [];
  if (c.status === 'draft') actions.push(['submit', 'Submit for approval', 'primary']);
  if (c.status === 'awaiting_approval') actions.push(['approve', 'Approve', 'primary'], ['reject', 'Reject', 'danger']);
  if (c.status === 'scheduled' || c.status === 'sending') actions.push(['cancel', 'Cancel campaign', 'danger']);
  return actions;
}

/** A campaign: what it is, its actions, its shipments live while sending, and its figures over time. @param {ViewContext} ctx */
export async function campaignPage(ctx) {
  const id = Number(ctx.params.id);
  ctx.title('Campaign');
  replace(ctx.main, loading());
  let campaign = (await api('GET', `/api/campaigns/${id}`)).campaign;
  if (!ctx.current()) return;
  const alert = alertBox();
  const notice = noticeBox();
  if (ctx.flash) replace(notice, ctx.flash);
  const header = h('div', { class: 'page-header' });
  const summary = h('dl', { class: 'card summary' });
  const actions = h('div', { class: 'actions' });
  const shipments = h('section', { 'aria-labelledby': 'shipments-heading' });
  const chart = h('section', { 'aria-labelledby': 'stats-heading' });
  const render = () => {
    ctx.title(`Campaign: ${campaign.name}`);
    replace(
      header,
      h('h1', null, `Campaign: ${campaign.name}`),
      h('a', { class: 'button', href: `/admin/campaigns/${id}/edit` }, 'Edit'),
    );
    /** @type {[string, import('../dom.js').Child][]} */
    const rows = [
      ['Status', campaignStatus(campaign.status)],
      ['Message', String(campaign.messageId)],
      ['Schedule', scheduleText(campaign.schedule)],
      ['Next run', formatDate(campaign.nextRunAt)],
      ['Submitted by', campaign.submittedBy ?? '—'],
      ['Approved by', campaign.approvedBy ? `${campaign.approvedBy}, ${formatDate(campaign.approvedAt)}` : '—'],
      ['Rejected', campaign.rejectedBy ? `by ${campaign.rejectedBy}: ${campaign.rejectionComment ?? ''}` : '—'],
      ['Sent / failed / opened', `${campaign.stats.sent} / ${campaign.stats.failed} / ${campaign.stats.opened}`],
    ];
    replace(
      summary,
      rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
    );
    replace(
      actions,
      actionsFor(campaign).map(([action, label, tone]) =>
        h(
          'button',
          {
            type: 'button',
            class: tone,
            onclick: async (/** @type {Event} */ event) => {
              const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
              button.disabled = true;
              try {
                campaign = await transition(id, action, action === 'reject' ? { comment: null } : {});
                replace(alert);
                replace(notice, `Campaign ${STATUS_LABELS[campaign.status] ?? campaign.status}.`);
                render();
                void follow();
              } catch (error) {
                replace(alert, error instanceof Error ? error.message : String(error));
              } finally {
                button.disabled = false;
              }
            },
          },
          label,
        ),
      ),
    );
  };
  replace(
    ctx.main,
    header,
    alert,
    notice,
    summary,
    actions,
    h('h2', { id: 'shipments-heading' }, 'Shipments'),
    shipments,
    h('h2', { id: 'stats-heading' }, 'Statistics over time'),
    chart,
  );
  render();

  /** @param {any[]} list */
  const showShipments = (list) =>
    replace(
      shipments,
      table({
        caption: 'Shipments',
        rows: list,
        empty: 'No shipment yet.',
        columns: [
          { label: 'Started', cell: (s) => formatDate(s.startedAt) },
          { label: 'Status', cell: (s) => statusBadge(s.status) },
          {
            label: 'Progress',
            cell: (s) => [
              h('progress', {
                max: Math.max(1, s.targets),
                value: s.sent + s.failed,
                'aria-label': `Shipment ${s.id} progress`,
              }),
              ` ${s.sent + s.failed} of ${s.targets}`,
            ],
          },
          { label: 'Requested', cell: (s) => String(s.requested), className: 'num' },
          { label: 'Sent', cell: (s) => String(s.sent), className: 'num' },
          { label: 'Failed', cell: (s) => String(s.failed), className: 'num' },
          { label: 'Finished', cell: (s) => formatDate(s.finishedAt) },
        ],
      }),
    );

  let following = false;
  /** Refreshes shipments, figures and the campaign while something may still move. */
  const follow = async () => {
    if (following) return;
    following = true;
    try {
      while (ctx.current()) {
        const [{ shipments: list }, fresh] = await Promise.all([
          api('GET', `/api/campaigns/${id}/shipments`),
          api('GET', `/api/campaigns/${id}`),
        ]);
        if (!ctx.current()) return;
        campaign = fresh.campaign;
        render();
        showShipments(list);
        await showChart(chart, id);
        const moving =
          ['scheduled', 'sending'].includes(campaign.status) ||
          list.some((/** @type {any} */ s) => s.status === 'Pending' || s.sent + s.failed < s.requested);
        if (!moving) return;
        await new Promise((resolve) => setTimeout(resolve, LIVE_MS));
      }
    } catch (error) {
      if (ctx.current()) replace(shipments, errorBlock(error));
    } finally {
      following = false;
    }
  };
  await follow();
}

let uplotModule = /** @type {Promise<any> | null} */ (null);

/** uPlot (served by the gateway from its own node_modules), with its stylesheet, once. */
function loadUplot() {
  if (!uplotModule) {
    document.head.append(h('link', { rel: 'stylesheet', href: '/vendor/uplot/uPlot.min.css' }));
    // A URL the gateway serves, not a package the type checker can see.
    const url = '/vendor/uplot/uPlot.esm.js';
    uplotModule = import(url).then((m) => m.default);
  }
  return uplotModule;
}

const SERIES = /** @type {const} */ ([
  ['sent', 'Sent', '#2563eb'],
  ['failed', 'Failed', '#dc2626'],
  ['uniqueOpened', 'Opened', '#16a34a'],
  ['uniqueClicked', 'Clicked', '#9333ea'],
]);

/**
 * The campaign's daily figures as a chart (uPlot) and as a table (the same numbers, readable
 * without the chart). @param {HTMLElement} into @param {number} id
 */
async function showChart(into, id) {
  const { stats } = await api('GET', `/api/campaigns/${id}/stats`);
  /** @type {Map<string, Record<string, number>>} */
  const days = new Map();
  for (const d of stats.daily) {
    const day = days.get(d.date) ?? Object.fromEntries(SERIES.map(([k]) => [k, 0]));
    for (const [k] of SERIES) day[k] += Number(d[k] ?? 0);
    days.set(d.date, day);
  }
  const dates = [...days.keys()].sort();
  const key = JSON.stringify([dates, dates.map((d) => days.get(d))]);
  if (into.dataset.key === key) return;
  into.dataset.key = key;
  const numbers = table({
    caption: 'Figures per day',
    rows: dates,
    empty: 'Nothing sent yet.',
    columns: [
      { label: 'Day', cell: (d) => d },
      ...SERIES.map(([k, label]) => ({
        label,
        cell: (/** @type {string} */ d) => String(days.get(d)?.[k] ?? 0),
        className: 'num',
      })),
    ],
  });
  const plot = h('div', { class: 'chart', role: 'img', 'aria-label': 'Sent, failed, opened and clicked per day' });
  replace(into, plot, numbers);
  if (dates.length === 0) return;
  const uPlot = await loadUplot();
  const xs = dates.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  // One day alone would be a single point on a zero-width axis: show the day before as zero.
  if (xs.length === 1) xs.unshift(xs[0] - 86_400);
  const pad = xs.length - dates.length;
  const data = [xs, ...SERIES.map(([k]) => [...Array(pad).fill(0), ...dates.map((d) => days.get(d)?.[k] ?? 0)])];
  new uPlot(
    {
      width: Math.max(320, Math.min(900, into.clientWidth || 600)),
      height: 260,
      scales: { x: { time: true } },
      series: [{}, ...SERIES.map(([, label, stroke]) => ({ label, stroke, width: 2 }))],
    },
    data,
    plot,
  );
}
