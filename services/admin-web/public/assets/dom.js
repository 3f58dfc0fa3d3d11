// Small DOM helpers. Text always goes in as text nodes (never innerHTML), so API data cannot inject markup.

/** @typedef {Node | string | number | null | undefined | false | ChildList} Child */
/** @typedef {Array<Child>} ChildList */

/**
 * Creates an element. `attrs`: `class`, `text`, `on<event>` handlers, `dataset`, boolean and
 * string attributes, and element properties such as `value` and `checked`.
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = null, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = String(value);
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked' || key === 'selected') /** @type {any} */ (el)[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** @param {Element} el @param {Child[]} children */
function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's children. @param {Element} el @param {...Child} children */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** A unique id for label/aria wiring. @param {string} prefix */
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

// ---- formatting ---------------------------------------------------------------------------

/** @param {string | null | undefined} iso */
export function formatDate(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** ISO 8601 → the value of an `<input type="datetime-local">` (local time). @param {string | null | undefined} iso */
export function toLocalInput(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** An `<input type="datetime-local">` value → ISO 8601 UTC, or null when empty. @param {string} value */
export function fromLocalInput(value) {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

/** @param {unknown} value @param {number} max */
export function truncate(value, max = 80) {
  const text = value === null || value === undefined ? '' : String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A status word as a badge whose colour follows its meaning (the word itself carries it too). @param {string | null | undefined} status */
export function statusBadge(status) {
  const value = String(status ?? 'unknown');
  const tone = /^(up|sent|delivered|opened|clicked|yes|published|available)$/i.test(value)
    ? 'ok'
    : /^(degraded|deferred|queued|pending|routed|dispatched|unpublished)$/i.test(value)
      ? 'warn'
      : /^(down|failed|bounced|complained|suppressed|unsubscribed|no|error|unavailable)$/i.test(value)
        ? 'bad'
        : '';
  return h('span', { class: `badge ${tone}`.trim() }, value);
}

// ---- forms --------------------------------------------------------------------------------

/**
 * A labelled form control with its hint and its error slot, wired for assistive technology.
 * `name` is the API field path (`channels.email.channelId`): server errors are shown next to it.
 * @param {{ name: string, label: string, type?: string, value?: any, hint?: string, options?: [string, string][],
 *   rows?: number, required?: boolean, placeholder?: string, className?: string, attrs?: Record<string, any> }} spec
 */
export function field(spec) {
  const id = nextId('f');
  const errorId = `${id}-error`;
  const hintId = spec.hint ? `${id}-hint` : null;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  const type = spec.type ?? 'text';
  /** @type {HTMLElement} */
  let control;
  const common = {
    id,
    name: spec.name,
    'aria-describedby': describedBy,
    required: spec.required,
    placeholder: spec.placeholder,
    ...spec.attrs,
  };
  if (type === 'textarea') {
    control = h('textarea', { ...common, rows: spec.rows ?? 4, class: spec.className }, spec.value ?? '');
  } else if (type === 'select') {
    control = h(
      'select',
      common,
      (spec.options ?? []).map(([value, label]) =>
        h('option', { value, selected: String(spec.value ?? '') === value }, label),
      ),
    );
  } else if (type === 'checkbox') {
    control = h('input', { ...common, type, checked: Boolean(spec.value) });
    return h(
      'div',
      { class: 'field checkbox', dataset: { field: spec.name } },
      control,
      h('label', { for: id }, spec.label),
      spec.hint ? h('span', { class: 'hint', id: hintId }, spec.hint) : null,
      h('p', { class: 'field-error', id: errorId }),
    );
  } else {
    control = h('input', { ...common, type, value: spec.value ?? '' });
  }
  return h(
    'div',
    { class: 'field', dataset: { field: spec.name } },
    h(
      'label',
      { for: id },
      spec.label,
      spec.required ? h('span', { class: 'muted', 'aria-hidden': 'true' }, ' (required)') : null,
    ),
    spec.hint ? h('span', { class: 'hint', id: hintId }, spec.hint) : null,
    control,
    h('p', { class: 'field-error', id: errorId }),
  );
}

/** The value of a named control in a form ('' when absent). @param {HTMLFormElement} form @param {string} name */
export function valueOf(form, name) {
  const el = form.elements.namedItem(name);
  if (el instanceof HTMLInputElement && el.type === 'checkbox') return el.checked ? 'on' : '';
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement)
    return el.value;
  return '';
}

/** @param {HTMLFormElement} form @param {string} name */
export function checked(form, name) {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement && el.checked;
}

/** @param {string} value → trimmed, or null when empty */
export function orNull(value) {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** An alert region for a form's errors (announced when filled). */
export function alertBox() {
  return h('div', { class: 'alert', role: 'alert' });
}

/** A polite status region for confirmations ("Saved."). */
export function noticeBox() {
  return h('div', { class: 'notice', role: 'status', 'aria-live': 'polite' });
}

/** Clears the errors shown in a container. @param {Element} root */
export function clearErrors(root) {
  for (const el of root.querySelectorAll('.field-error')) el.textContent = '';
  for (const el of root.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of root.querySelectorAll('.alert')) el.replaceChildren();
}

/**
 * Shows an API error: each `details` entry next to its field (the nearest `[data-field]` that is the
 * path or one of its parents), the rest in the alert. Focuses the first invalid control.
 * @param {Element} root the form (or section) holding the fields
 * @param {Element} alert
 * @param {unknown} error
 */
export function showError(root, alert, error) {
  clearErrors(root);
  const details =
    error && typeof error === 'object' && 'details' in error
      ? /** @type {Record<string, string[]>} */ (error.details)
      : {};
  const message = error instanceof Error ? error.message : String(error);
  /** @type {string[]} */
  const unplaced = [];
  /** @type {HTMLElement | null} */
  let firstInvalid = null;
  for (const [path, messages] of Object.entries(details ?? {})) {
    const container = findField(root, path);
    if (!container) {
      unplaced.push(...messages.map((m) => (path ? `${path}: ${m}` : m)));
      continue;
    }
    const own = (/** @type {string} */ selector) =>
      [...container.querySelectorAll(selector)].find((el) => el.closest('[data-field]') === container);
    const slot = own('.field-error');
    if (!slot) {
      unplaced.push(...messages.map((m) => (path ? `${path}: ${m}` : m)));
      continue;
    }
    slot.textContent = [slot.textContent, ...messages].filter(Boolean).join(' ');
    const control = /** @type {HTMLElement | undefined} */ (own('input, select, textarea'));
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      firstInvalid ??= control;
    }
  }
  const hasDetails = Object.keys(details ?? {}).length > 0;
  replace(
    alert,
    hasDetails ? 'Please correct the highlighted fields.' : message,
    unplaced.length > 0
      ? h(
          'ul',
          null,
          unplaced.map((m) => h('li', null, m)),
        )
      : null,
  );
  firstInvalid?.focus();
}

/** @param {Element} root @param {string} path */
function findField(root, path) {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n -= 1) {
    const name = parts.slice(0, n).join('.');
    const found = root.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (found) return found;
  }
  return null;
}

/** Disables a form's submit buttons while `work` runs. @template T @param {HTMLFormElement} form @param {() => Promise<T>} work */
export async function busy(form, work) {
  const buttons = [...form.querySelectorAll('button')];
  for (const b of buttons) b.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    for (const b of buttons) b.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

// ---- tables -------------------------------------------------------------------------------

/**
 * @template T
 * @typedef {{ label: string, cell: (row: T) => Child, className?: string }} Column
 */

/**
 * A table with a caption (visually hidden) and an empty-state row.
 * @template T
 * @param {{ caption: string, columns: Column<T>[], rows: T[], empty?: string }} spec
 */
export function table(spec) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      h('caption', { class: 'visually-hidden' }, spec.caption),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          spec.columns.map((c) => h('th', { scope: 'col', class: c.className }, c.label)),
        ),
      ),
      h(
        'tbody',
        null,
        spec.rows.length === 0
          ? h('tr', null, h('td', { class: 'empty', colspan: spec.columns.length }, spec.empty ?? 'Nothing here yet.'))
          : spec.rows.map((row) =>
              h(
                'tr',
                null,
                spec.columns.map((c) => h('td', { class: c.className }, c.cell(row))),
              ),
            ),
      ),
    ),
  );
}

/** A loading line, replaced by the caller when the data arrives. @param {string} [text] */
export function loading(text = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, text);
}

/** An error shown in place of content that could not be loaded. @param {unknown} error */
export function errorBlock(error) {
  return h('div', { class: 'alert', role: 'alert' }, error instanceof Error ? error.message : String(error));
}
