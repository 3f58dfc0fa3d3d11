import { api } from '../api.js';
import {
  alertBox,
  busy,
  checked,
  clearErrors,
  errorBlock,
  field,
  formatDate,
  h,
  loading,
  noticeBox,
  replace,
  showError,
  truncate,
  valueOf,
} from '../dom.js';
import { attachHtmlEditor } from './html-editor.js';
import { listPage, publishedBadge } from './shared.js';
import { variantsEditor } from './variants.js';

/** @typedef {import('../app.js').ViewContext} ViewContext */

/**
 * @typedef {{ name: string, label: string,
 *   type?: 'text' | 'textarea' | 'checkbox' | 'email' | 'url' | 'number' | 'html' | 'template',
 *   rows?: number, code?: boolean, required?: boolean, hint?: string, default?: unknown }} ContentField
 * @typedef {{ item: string, plural: string, singular: string, summary: string, fields: ContentField[],
 *   variant?: string[] }} ContentType
 * `variant`: the fields a variant may set (CONTENT_FIELDS[type].variant in libs/contracts).
 */

/** @type {ContentField} */
const DESCRIPTION = { name: 'description', label: 'Description', type: 'textarea', rows: 2 };
const LIQUID_HINT = 'Liquid, e.g. {{ contact.firstname | default: "there" }}';

/** The content types of DESIGN §7.2 and the email templates of §7.4, keyed by their path under /api. @type {Record<string, ContentType>} */
export const CONTENT_TYPES = {
  emails: {
    item: 'email',
    plural: 'Emails',
    singular: 'email',
    summary: 'subject',
    variant: ['subject', 'customHtml', 'plainText', 'fromAddress', 'fromName', 'replyToAddress'],
    fields: [
      { name: 'name', label: 'Name', required: true },
      DESCRIPTION,
      { name: 'subject', label: 'Subject', required: true, hint: LIQUID_HINT },
      { name: 'fromAddress', label: 'From address', type: 'email' },
      { name: 'fromName', label: 'From name' },
      { name: 'replyToAddress', label: 'Reply-to address', type: 'email' },
      {
        name: 'customHtml',
        label: 'HTML body',
        type: 'html',
        rows: 14,
        code: true,
        hint: `${LIQUID_HINT}. Edit it visually or as HTML.`,
      },
      { name: 'plainText', label: 'Text body', type: 'textarea', rows: 8, hint: 'Sent as the text alternative.' },
      {
        name: 'templateId',
        label: 'Template',
        type: 'template',
        hint: 'Optional: an email template whose {{ content }} slot holds this body.',
      },
      { name: 'isPublished', label: 'Published', type: 'checkbox', default: true },
    ],
  },
  smses: {
    item: 'sms',
    plural: 'Text messages',
    singular: 'text message',
    summary: 'message',
    variant: ['message', 'senderId'],
    fields: [
      { name: 'name', label: 'Name', required: true },
      DESCRIPTION,
      { name: 'message', label: 'Message', type: 'textarea', rows: 5, required: true, hint: LIQUID_HINT },
      { name: 'senderId', label: 'Sender ID', hint: 'Alphanumeric sender or number, where the provider allows it.' },
      { name: 'isPublished', label: 'Published', type: 'checkbox', default: true },
    ],
  },
  notifications: {
    item: 'notification',
    plural: 'Notifications',
    singular: 'notification',
    summary: 'heading',
    variant: ['heading', 'message', 'url', 'icon'],
    fields: [
      { name: 'name', label: 'Name', required: true },
      DESCRIPTION,
      { name: 'heading', label: 'Heading', required: true, hint: LIQUID_HINT },
      { name: 'message', label: 'Message', type: 'textarea', rows: 4, required: true, hint: LIQUID_HINT },
      { name: 'url', label: 'Link URL', type: 'url' },
      { name: 'icon', label: 'Icon URL', type: 'url' },
      { name: 'mobile', label: 'Mobile push (apps) rather than web push (browsers)', type: 'checkbox', default: false },
      { name: 'isPublished', label: 'Published', type: 'checkbox', default: true },
    ],
  },
  inappmessages: {
    item: 'inappmessage',
    plural: 'In-app messages',
    singular: 'in-app message',
    summary: 'title',
    variant: ['title', 'body', 'url', 'icon'],
    fields: [
      { name: 'name', label: 'Name', required: true },
      DESCRIPTION,
      { name: 'title', label: 'Title', required: true, hint: LIQUID_HINT },
      {
        name: 'body',
        label: 'Body',
        type: 'textarea',
        rows: 6,
        code: true,
        hint: `Limited HTML (p, br, b, strong, i, em, u, s, small, ul, ol, li, span and http(s) links); anything else is removed when it is delivered. ${LIQUID_HINT}`,
      },
      {
        name: 'url',
        label: 'Link URL',
        type: 'url',
        hint: 'Opened when the reader clicks the message (tracked as a click).',
      },
      { name: 'icon', label: 'Icon URL', type: 'url' },
      {
        name: 'expiresAfterDays',
        label: 'Expires after (days)',
        type: 'number',
        hint: 'Removed from the inbox after this many days (default 90).',
      },
      { name: 'isPublished', label: 'Published', type: 'checkbox', default: true },
    ],
  },
  templates: {
    item: 'template',
    plural: 'Templates',
    singular: 'template',
    summary: 'description',
    fields: [
      { name: 'name', label: 'Name', required: true },
      DESCRIPTION,
      {
        name: 'html',
        label: 'Layout HTML',
        type: 'textarea',
        rows: 14,
        code: true,
        required: true,
        hint: `One {{ content }} slot, where an email’s body goes. ${LIQUID_HINT}`,
      },
      { name: 'isPublished', label: 'Published', type: 'checkbox', default: true },
    ],
  },
  tweets: {
    item: 'tweet',
    plural: 'Tweets',
    singular: 'tweet',
    summary: 'text',
    variant: ['text'],
    fields: [
      { name: 'name', label: 'Name', required: true },
      DESCRIPTION,
      {
        name: 'text',
        label: 'Text',
        type: 'textarea',
        rows: 4,
        required: true,
        hint: `At most 280 characters once rendered. ${LIQUID_HINT}`,
      },
      { name: 'isPublished', label: 'Published', type: 'checkbox', default: true },
    ],
  },
};

/** @param {ViewContext} ctx */
function typeOf(ctx) {
  const type = CONTENT_TYPES[ctx.params.type];
  if (!type) throw new Error(`Unknown content type “${ctx.params.type}”.`);
  return type;
}

/** @param {ViewContext} ctx */
export function contentListPage(ctx) {
  const type = typeOf(ctx);
  const path = ctx.params.type;
  return listPage(ctx, {
    title: type.plural,
    apiPath: `/api/${path}`,
    listKey: path,
    caption: type.plural,
    newHref: `/admin/content/${path}/new`,
    newLabel: `New ${type.singular}`,
    searchLabel: 'Search by name',
    before: ctx.flash ? [Object.assign(noticeBox(), { textContent: ctx.flash })] : [],
    columns: [
      { label: 'ID', cell: (c) => String(c.id), className: 'num' },
      { label: 'Name', cell: (c) => h('a', { href: `/admin/content/${path}/${c.id}` }, c.name || '(no name)') },
      { label: type.summary[0].toUpperCase() + type.summary.slice(1), cell: (c) => truncate(c[type.summary], 70) },
      ...(path === 'notifications'
        ? [{ label: 'Kind', cell: (/** @type {any} */ c) => (c.mobile ? 'Mobile' : 'Web') }]
        : []),
      { label: 'Status', cell: (c) => publishedBadge(c.isPublished ?? true) },
      { label: 'Modified', cell: (c) => formatDate(c.dateModified ?? c.dateAdded) },
    ],
  });
}

/** Create or edit one content item, with a rendered preview. @param {ViewContext} ctx */
export async function contentEditPage(ctx) {
  const type = typeOf(ctx);
  const path = ctx.params.type;
  const id = ctx.params.id ?? null;
  ctx.title(id ? `${type.plural} · ${id}` : `New ${type.singular}`);
  replace(ctx.main, loading());

  let item = null;
  if (id) {
    try {
      item = (await api('GET', `/api/${path}/${encodeURIComponent(id)}`))?.[type.item] ?? null;
    } catch (error) {
      if (ctx.current())
        replace(ctx.main, backLink(path, type), h('h1', null, `${type.plural} · ${id}`), errorBlock(error));
      return;
    }
    if (!ctx.current()) return;
  }

  const alert = alertBox();
  const notice = noticeBox();
  if (ctx.flash) notice.textContent = ctx.flash;
  const warningText = h('p', null);
  const autoAppend = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id: 'auto-append-opt-out' }));
  let updateWarning = () => {};
  const variants = type.variant
    ? variantsEditor({
        fields: type.variant.map((name) => /** @type {ContentField} */ (type.fields.find((f) => f.name === name))),
        variants: item?.variants ?? [],
        onChange: () => updateWarning(),
      })
    : null;
  const warning = h(
    'div',
    { class: 'warning', hidden: true },
    h('div', { role: 'status' }, warningText),
    h(
      'div',
      { class: 'checkbox' },
      autoAppend,
      h('label', { for: 'auto-append-opt-out' }, 'Add the footer to the content when saving'),
    ),
  );
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { novalidate: true, class: 'card', 'aria-labelledby': 'content-title' },
      alert,
      type.fields.map((f) => contentField(f, item)),
      variants?.element,
      warning,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, id ? 'Save' : `Create ${type.singular}`),
        h('a', { class: 'button', href: `/admin/content/${path}` }, 'Cancel'),
        id && path === 'templates'
          ? h('button', { type: 'button', onclick: () => void copyTemplate() }, 'Copy template')
          : null,
        id ? h('button', { type: 'button', class: 'danger', onclick: () => void remove() }, 'Delete') : null,
      ),
    )
  );

  replace(
    ctx.main,
    backLink(path, type),
    h(
      'div',
      { class: 'page-header' },
      h('h1', { id: 'content-title' }, id ? item?.name || `${type.plural} · ${id}` : `New ${type.singular}`),
    ),
    notice,
    id
      ? h('div', { class: 'two-col' }, form, h('div', null, previewPanel(path, id), testSendPanel(path, id, item)))
      : form,
  );

  /** @type {{ sync: () => void } | null} */
  let htmlEditor = null;
  /** @type {Map<string, string>} template id → its layout, for the unsubscribe check */
  const templateLayouts = new Map();
  /** @type {OptOutRules | null} */
  let rules = null;
  /** @type {unknown} */
  let rulesError = null;
  updateWarning = () => {
    const text = rulesError
      ? `Whether this content has its opt-out tag cannot be checked: ${rulesError instanceof Error ? rulesError.message : rulesError}`
      : rules && optOutWarning(path, form, templateLayouts, rules, variants?.read() ?? []);
    warningText.textContent = text || '';
    warning.hidden = !text;
  };
  if (path === 'emails' || path === 'smses')
    void loadOptOutRules().then(
      (loaded) => {
        rules = loaded;
        updateWarning();
      },
      (error) => {
        rulesError = error;
        updateWarning();
      },
    );
  const htmlField = type.fields.find((f) => f.type === 'html');
  if (htmlField) {
    const textarea = /** @type {HTMLTextAreaElement} */ (form.elements.namedItem(htmlField.name));
    htmlEditor = attachHtmlEditor(textarea, { label: htmlField.label, onChange: updateWarning });
  }
  const templateField = type.fields.find((f) => f.type === 'template');
  if (templateField) {
    const select = /** @type {HTMLSelectElement} */ (form.elements.namedItem(templateField.name));
    void fillTemplatePicker(select, templateLayouts).then(updateWarning);
  }
  form.addEventListener('input', updateWarning);
  form.addEventListener('change', updateWarning);
  updateWarning();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    notice.textContent = '';
    htmlEditor?.sync();
    /** @type {Record<string, unknown>} */
    const body = {};
    for (const f of type.fields) {
      if (f.type === 'checkbox') body[f.name] = checked(form, f.name);
      else if (f.type === 'number' || f.type === 'template')
        body[f.name] = valueOf(form, f.name).trim() === '' ? null : Number(valueOf(form, f.name));
      else if (f.name === 'name') body[f.name] = valueOf(form, f.name);
      else body[f.name] = valueOf(form, f.name) === '' ? null : valueOf(form, f.name);
    }
    if (variants) body.variants = variants.read();
    const appendFooter = !warning.hidden && autoAppend.checked;
    if (appendFooter) body.autoAppendOptOut = true;
    void busy(form, async () => {
      try {
        if (id && appendFooter) {
          // The saved content differs from the form's: show it as stored.
          await api('PATCH', `/api/${path}/${encodeURIComponent(id)}/edit`, body);
          ctx.navigate(window.location.pathname, { replace: true, flash: 'Saved, with the footer added.' });
        } else if (id) {
          await api('PATCH', `/api/${path}/${encodeURIComponent(id)}/edit`, body);
          clearErrors(form);
          notice.textContent = 'Saved.';
        } else {
          const created = await api('POST', `/api/${path}/new`, body);
          ctx.navigate(`/admin/content/${path}/${created[type.item].id}`, { replace: true, flash: 'Created.' });
        }
      } catch (error) {
        showError(form, alert, error);
      }
    });
  });

  async function copyTemplate() {
    try {
      const { template } = await api('POST', `/api/templates/${encodeURIComponent(String(id))}/copy`, {});
      ctx.navigate(`/admin/content/templates/${template.id}`, {
        flash: `Copied as “${template.name}” (unpublished).`,
      });
    } catch (error) {
      showError(form, alert, error);
    }
  }

  async function remove() {
    if (!window.confirm(`Delete “${item?.name ?? id}”? Messages using it will have no content for this channel.`))
      return;
    try {
      await api('DELETE', `/api/${path}/${encodeURIComponent(String(id))}/delete`);
      ctx.navigate(`/admin/content/${path}`, { flash: 'Deleted.' });
    } catch (error) {
      showError(form, alert, error);
    }
  }
}

/** One form control of a content type, holding the item's value (or the field's default). @param {ContentField} f @param {any} item */
function contentField(f, item) {
  const value = item ? (f.type === 'checkbox' ? Boolean(item[f.name]) : (item[f.name] ?? '')) : f.default;
  const common = { name: f.name, label: f.label, hint: f.hint, required: f.required };
  if (f.type === 'template') {
    const current = value === '' || value === undefined || value === null ? '' : String(value);
    /** @type {[string, string][]} */
    const options = [['', 'No template']];
    if (current) options.push([current, `Template #${current}`]);
    const control = field({ ...common, type: 'select', options, value: current });
    control.append(h('div', { class: 'template-thumb', 'aria-live': 'polite' }));
    return control;
  }
  const multiline = f.type === 'textarea' || f.type === 'html';
  return field({
    ...common,
    type: multiline ? 'textarea' : (f.type ?? 'text'),
    rows: f.rows,
    className: f.code ? 'code' : undefined,
    value,
    attrs: multiline ? { spellcheck: f.code ? 'false' : undefined } : undefined,
  });
}

/**
 * Fills the template picker with every template (by name) and shows the chosen one rendered
 * around sample content below it.
 * @param {HTMLSelectElement} select
 * @param {Map<string, string>} layouts filled with each template's HTML
 */
async function fillTemplatePicker(select, layouts) {
  const thumb = /** @type {HTMLElement} */ (select.closest('.field')?.querySelector('.template-thumb'));
  const showChosen = async () => {
    const chosen = select.value;
    if (!chosen) {
      thumb.replaceChildren();
      return;
    }
    try {
      const { preview } = await api('POST', `/api/templates/${encodeURIComponent(chosen)}/preview`, {});
      if (select.value !== chosen) return;
      replace(
        thumb,
        h('iframe', {
          title: 'Template preview',
          sandbox: '',
          srcdoc: preview.html,
          referrerpolicy: 'no-referrer',
          tabindex: '-1',
        }),
      );
    } catch (error) {
      if (select.value === chosen) replace(thumb, errorBlock(error));
    }
  };
  select.addEventListener('change', () => void showChosen());
  try {
    const { templates } = await api('GET', '/api/templates?limit=0&orderBy=name');
    const current = select.value;
    replace(
      select,
      h('option', { value: '' }, 'No template'),
      (Array.isArray(templates) ? templates : []).map((/** @type {any} */ t) => {
        layouts.set(String(t.id), String(t.html ?? ''));
        const label = `${t.name || '(no name)'} (#${t.id})${t.isPublished === false ? ' — unpublished' : ''}`;
        return h('option', { value: String(t.id), selected: String(t.id) === current }, label);
      }),
    );
    if (current && !layouts.has(current))
      select.append(h('option', { value: current, selected: true }, `Template #${current} (not found)`));
  } catch (error) {
    select.closest('.field')?.append(errorBlock(error));
  }
  await showChosen();
}

/**
 * What counts as an opt-out or unsubscribe tag, from the server (`GET /api/content/opt-out`: the
 * rules of libs/contracts opt-out.ts with its SMS_OPT_OUT_TEXT), loaded once.
 * @typedef {{ smsText: string, sms: RegExp[], email: RegExp[] }} OptOutRules
 */
/** @type {Promise<OptOutRules> | null} */
let optOutRules = null;

/** @returns {Promise<OptOutRules>} */
function loadOptOutRules() {
  const toRegExp = (/** @type {any} */ p) => new RegExp(String(p.source), String(p.flags));
  optOutRules ??= api('GET', '/api/content/opt-out').then(({ optOut }) => ({
    smsText: String(optOut.sms.text),
    sms: optOut.sms.patterns.map(toRegExp),
    email: optOut.email.patterns.map(toRegExp),
  }));
  // A failure is not kept: the next page asks again.
  optOutRules.catch(() => (optOutRules = null));
  return optOutRules;
}

/**
 * DESIGN §7.2: published content without its opt-out tag gets the configured footer at send
 * time (or is refused on save in strict mode); say so while the user edits. Each variant is
 * checked as it is sent: its own texts over the base's.
 * @param {string} path @param {HTMLFormElement} form @param {Map<string, string>} templateLayouts
 * @param {OptOutRules} rules @param {Record<string, unknown>[]} variants as the API takes them
 * @returns {string | null}
 */
function optOutWarning(path, form, templateLayouts, rules, variants) {
  if (!checked(form, 'isPublished')) return null;
  const base = (/** @type {string} */ name) => valueOf(form, name);
  const own = (/** @type {Record<string, unknown>} */ v, /** @type {string} */ name) =>
    typeof v[name] === 'string' ? /** @type {string} */ (v[name]) : base(name);
  const lacking = (/** @type {(name: string) => string} */ read) => {
    if (path === 'emails') {
      const linked = (/** @type {string} */ text) => rules.email.some((p) => p.test(text));
      const layout = templateLayouts.get(base('templateId')) ?? '';
      // As catalog decides (contracts/opt-out): the template's link, else the HTML's, else the text's.
      const html = read('customHtml');
      return !linked(layout) && !linked(html.trim() ? html : read('plainText'));
    }
    const message = read('message');
    return !rules.sms.some((p) => p.test(message)) && !message.includes(rules.smsText);
  };
  const baseLacks = lacking(base);
  const variantsLacking = baseLacks ? [] : variants.filter((v) => lacking((name) => own(v, name)));
  if (!baseLacks && variantsLacking.length === 0) return null;
  const names = variantsLacking.map((v) => `“${v.name || 'unnamed'}”`).join(', ');
  const which = (/** @type {string} */ item) =>
    baseLacks
      ? `This published ${item} has`
      : `${variantsLacking.length === 1 ? 'The variant' : 'The variants'} ${names} of this published ${item} ${variantsLacking.length === 1 ? 'has' : 'have'}`;
  if (path === 'emails')
    return `${which('email')} no {{ unsubscribe_url }} link (in its body or its template): an unsubscribe footer will be added when it is sent, or saving is refused where opt-out tags are required.`;
  if (path === 'smses')
    return `${which('text message')} no opt-out ({{ optout }}, “${rules.smsText}” or the word STOP): “${rules.smsText}” will be appended when it is sent, or saving is refused where opt-out tags are required.`;
  return null;
}

/** @param {string} path @param {ContentType} type */
function backLink(path, type) {
  return h('p', { class: 'breadcrumb' }, h('a', { href: `/admin/content/${path}` }, `← ${type.plural}`));
}

/** Renders the saved item for a contact (or sample fields) with `POST /api/<type>/{id}/preview`. @param {string} path @param {string} id */
function previewPanel(path, id) {
  const alert = alertBox();
  const output = h('div', { class: 'preview', 'aria-live': 'polite' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { novalidate: true, class: 'card', 'aria-labelledby': 'preview-title' },
      h('h2', { id: 'preview-title' }, 'Preview'),
      h('p', { class: 'muted' }, 'Renders the saved version. Save your changes first.'),
      alert,
      field({
        name: 'contactId',
        label: 'Contact ID',
        hint: 'Optional: render with this contact’s fields instead of sample ones.',
      }),
      h('button', { type: 'submit' }, 'Preview'),
      output,
    )
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const contactId = valueOf(form, 'contactId').trim();
    void busy(form, async () => {
      try {
        const data = await api(
          'POST',
          `/api/${path}/${encodeURIComponent(id)}/preview`,
          contactId ? { contactId } : {},
        );
        clearErrors(form);
        replace(output, renderPreview(data, CONTENT_TYPES[path]));
      } catch (error) {
        showError(form, alert, error);
        output.replaceChildren();
      }
    });
  });
  return form;
}

/**
 * Where each content type's test goes (DESIGN §7.2): the field asking for it, and how its text
 * becomes the request's `address`.
 * @param {string} path @param {any} item
 * @returns {{ label: string, hint?: string, type?: string, read: (value: string) => unknown } | null}
 */
function testAddress(path, item) {
  const text = (/** @type {string} */ value) => value.trim();
  switch (path) {
    case 'emails':
      return { label: 'Email address', type: 'email', read: text };
    case 'smses':
      return { label: 'Mobile number', type: 'tel', hint: 'In E.164 form, e.g. +420777000111.', read: text };
    case 'tweets':
      return { label: 'Twitter handle', hint: '@name', read: text };
    case 'inappmessages':
      return { label: 'Contact ID of the inbox', hint: 'The contact whose inbox gets the test.', read: text };
    case 'notifications':
      return item?.mobile
        ? { label: 'Device token', hint: 'The app’s FCM registration token.', read: (v) => ({ token: v.trim() }) }
        : {
            label: 'Push subscription (JSON)',
            type: 'textarea',
            hint: 'The browser’s PushSubscription as JSON: {"endpoint": …, "keys": {"p256dh": …, "auth": …}}.',
            read: (v) => {
              try {
                return JSON.parse(v);
              } catch {
                throw Object.assign(new Error('Please correct the highlighted fields.'), {
                  details: { address: ['Paste the subscription as JSON.'] },
                });
              }
            },
          };
    default:
      return null;
  }
}

/** @param {unknown} address → how a test's destination reads in a sentence */
function describeAddress(address) {
  if (typeof address === 'string') return address;
  const value = /** @type {any} */ (address);
  if (value?.token) return 'the device';
  if (value?.endpoint) return 'the push subscription';
  return 'the address';
}

/**
 * Sends the saved content now to one address with `POST /api/<type>/{id}/test`.
 * @param {string} path @param {string} id @param {any} item
 */
function testSendPanel(path, id, item) {
  const address = testAddress(path, item);
  if (!address) return null;
  const alert = alertBox();
  const result = noticeBox();
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { novalidate: true, class: 'card', 'aria-labelledby': 'test-send-title' },
      h('h2', { id: 'test-send-title' }, 'Send a test'),
      h('p', { class: 'muted' }, 'Sends the saved version now, published or not. Statistics do not count it.'),
      alert,
      field({
        name: 'address',
        label: address.label,
        type: address.type,
        hint: address.hint,
        required: true,
        rows: 4,
        className: address.type === 'textarea' ? 'code' : undefined,
      }),
      field({ name: 'contactId', label: 'Contact ID', hint: 'Optional: render with this contact’s fields.' }),
      h('button', { type: 'submit' }, 'Send test'),
      result,
    )
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    result.textContent = '';
    const contactId = valueOf(form, 'contactId').trim();
    void busy(form, async () => {
      try {
        const to = address.read(valueOf(form, 'address'));
        const { test } = await api(
          'POST',
          `/api/${path}/${encodeURIComponent(id)}/test`,
          contactId ? { address: to, contactId } : { address: to },
        );
        clearErrors(form);
        result.textContent = `Sent to ${describeAddress(test.address)} through ${test.provider}.`;
      } catch (error) {
        showError(form, alert, error);
      }
    });
  });
  return form;
}

/**
 * Shows whatever the preview returned: HTML parts in a sandboxed frame (no scripts, no same
 * origin), every other text part as text.
 * @param {any} data
 * @param {ContentType} type
 */
function renderPreview(data, type) {
  const root =
    data && typeof data === 'object' ? (data.preview ?? data.rendered ?? data) : { text: String(data ?? '') };
  /** @type {HTMLElement[]} */
  const parts = [];
  if (root && typeof root === 'object' && 'variant' in root) parts.push(variantChoice(root.variant));
  for (const [key, value] of Object.entries(root)) {
    if (key === 'variant' || value === null || value === undefined || typeof value === 'object') continue;
    const label = h('h3', { class: 'label' }, type.fields.find((f) => f.name === key)?.label ?? key);
    // An in-app message's body is HTML too (the inbox shows it as such).
    if ((/html/i.test(key) || (type.item === 'inappmessage' && key === 'body')) && typeof value === 'string') {
      parts.push(
        label,
        h('iframe', { title: `Rendered ${key}`, sandbox: '', srcdoc: value, referrerpolicy: 'no-referrer' }),
      );
    } else {
      parts.push(label, h('pre', null, String(value)));
    }
  }
  return parts.length > 0 ? parts : h('pre', { class: 'raw' }, JSON.stringify(data, null, 2));
}

/** Which content a preview's contact gets (DESIGN §7.2): a variant's name, or null for the base content. @param {unknown} variant */
export function variantChoice(variant) {
  return h(
    'p',
    { class: 'variant-choice' },
    typeof variant === 'string' && variant
      ? ['Variant sent: ', h('strong', null, variant)]
      : 'Base content sent (no variant matches).',
  );
}
