import { api } from '../api.js';
import { alertBox, busy, clearErrors, field, h, replace, showError, valueOf } from '../dom.js';

/** @typedef {{ mount(el: Element, options: { token: string }): { close(): void } }} InboxWidget */

/** @type {Promise<InboxWidget> | null} */
let widgetScript = null;

/** Loads /inbox/widget.js once, as a customer's site would. @returns {Promise<InboxWidget>} */
function loadWidget() {
  widgetScript ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/inbox/widget.js';
    script.onload = () => resolve(/** @type {any} */ (window).SwitchboardInbox);
    script.onerror = () => {
      widgetScript = null;
      reject(new Error('The inbox widget could not be loaded.'));
    };
    document.head.append(script);
  });
  return widgetScript;
}

/**
 * The in-app inbox widget as a contact sees it (DESIGN §7.7): the page signs an inbox token for a
 * contact (`POST /api/inbox/token`) and mounts `/inbox/widget.js` with it, exactly as a customer's
 * site embeds it with a token its own backend signed.
 * @param {import('../app.js').ViewContext} ctx
 */
export function inboxWidgetPage(ctx) {
  ctx.title('Inbox widget');
  const alert = alertBox();
  const stage = h('div', { class: 'card inbox-stage', 'aria-live': 'polite' });
  /** @type {{ close(): void } | null} */
  let mounted = null;
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { novalidate: true, class: 'card', 'aria-labelledby': 'inbox-widget-form' },
      h('h2', { id: 'inbox-widget-form' }, 'Show a contact’s inbox'),
      alert,
      field({
        name: 'contactId',
        label: 'Contact ID',
        required: true,
        hint: 'The contact whose inbox the widget shows.',
      }),
      h('button', { type: 'submit' }, 'Show inbox'),
    )
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(form);
    void busy(form, async () => {
      try {
        const contactId = valueOf(form, 'contactId').trim();
        const [{ token }, widget] = await Promise.all([
          /** @type {Promise<{ token: string }>} */ (api('POST', '/api/inbox/token', { contactId })),
          loadWidget(),
        ]);
        if (!ctx.current()) return;
        mounted?.close();
        replace(stage, h('p', null, `Inbox of ${contactId}: `));
        mounted = widget.mount(stage, { token });
      } catch (error) {
        showError(form, alert, error);
      }
    });
  });
  replace(
    ctx.main,
    h('div', { class: 'page-header' }, h('h1', null, 'Inbox widget')),
    h(
      'p',
      { class: 'muted' },
      'A site adds the inbox with one script tag and a token its backend signs for the logged-in user ' +
        '(HS256 with SB_INBOX_SECRET, sub = the contact id): ',
      h('code', null, '<script src="…/inbox/widget.js" data-token="…" data-target="#bell"></script>'),
      '. The bell updates live as messages arrive.',
    ),
    form,
    stage,
  );
}
