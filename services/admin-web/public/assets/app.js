// The admin app shell: client-side routes under /admin, the sidebar, and the session.
import { session, setUnauthorizedHandler } from './api.js';
import { errorBlock, h, replace } from './dom.js';
import { approvalsPage, campaignEditPage, campaignPage, campaignsPage } from './views/campaigns.js';
import { channelsPage } from './views/channels.js';
import { contactPage, contactsPage } from './views/contacts.js';
import { contentEditPage, contentListPage } from './views/content.js';
import { deliveriesPage } from './views/deliveries.js';
import { inboxWidgetPage } from './views/inbox-widget.js';
import { messageEditPage, messagesPage } from './views/messages.js';
import { segmentContactsPage, segmentEditPage, segmentImportPage, segmentsPage } from './views/segments.js';
import { signInPage } from './views/sign-in.js';

/**
 * @typedef {object} ViewContext
 * @property {HTMLElement} main the page's container (detached when the user navigates away)
 * @property {Record<string, string>} params decoded path parameters
 * @property {URLSearchParams} query
 * @property {(path: string, options?: { replace?: boolean, flash?: string }) => void} navigate
 * @property {(title: string) => void} title sets the document title
 * @property {string | null} flash a confirmation carried over from the previous page
 * @property {() => boolean} current false once the user has navigated elsewhere
 */

/** @type {{ pattern: RegExp, keys: string[], view: (ctx: ViewContext) => unknown, section: string, public?: boolean }[]} */
const ROUTES = [
  route('/admin/sign-in', signInPage, '', true),
  route('/admin/messages', messagesPage, 'messages'),
  route('/admin/messages/new', messageEditPage, 'messages'),
  route('/admin/messages/:id', messageEditPage, 'messages'),
  route('/admin/content/:type', contentListPage, 'content'),
  route('/admin/content/:type/new', contentEditPage, 'content'),
  route('/admin/content/:type/:id', contentEditPage, 'content'),
  route('/admin/contacts', contactsPage, 'contacts'),
  route('/admin/contacts/:id', contactPage, 'contacts'),
  route('/admin/segments', segmentsPage, 'segments'),
  route('/admin/segments/new', segmentEditPage, 'segments'),
  route('/admin/segments/:id', segmentEditPage, 'segments'),
  route('/admin/segments/:id/contacts', segmentContactsPage, 'segments'),
  route('/admin/segments/:id/import', segmentImportPage, 'segments'),
  route('/admin/campaigns', campaignsPage, 'campaigns'),
  route('/admin/campaigns/new', campaignEditPage, 'campaigns'),
  route('/admin/campaigns/approvals', approvalsPage, 'campaigns'),
  route('/admin/campaigns/:id', campaignPage, 'campaigns'),
  route('/admin/campaigns/:id/edit', campaignEditPage, 'campaigns'),
  route('/admin/deliveries', deliveriesPage, 'deliveries'),
  route('/admin/channels', channelsPage, 'channels'),
  route('/admin/inbox-widget', inboxWidgetPage, 'inbox-widget'),
];

const HOME = '/admin/messages';

/** @param {string} path @param {(ctx: ViewContext) => unknown} view @param {string} section @param {boolean} [isPublic] */
function route(path, view, section, isPublic = false) {
  /** @type {string[]} */
  const keys = [];
  const source = path.replace(/:([a-z]+)/g, (_m, key) => {
    keys.push(key);
    return '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}/?$`), keys, view, section, public: isPublic };
}

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
let renderSeq = 0;

/** @param {string} path @param {{ replace?: boolean, flash?: string }} [options] */
function navigate(path, options = {}) {
  const state = options.flash ? { flash: options.flash } : null;
  if (options.replace) history.replaceState(state, '', path);
  else history.pushState(state, '', path);
  void render();
}

async function render() {
  const seq = ++renderSeq;
  const { pathname, search } = window.location;
  if (pathname === '/' || pathname === '/admin' || pathname === '/admin/') {
    history.replaceState(null, '', HOME);
    return render();
  }
  const match = ROUTES.map((r) => ({ r, m: r.pattern.exec(pathname) })).find((x) => x.m);
  const signedIn = Boolean(session.authorization());
  if (match && !match.r.public && !signedIn) {
    history.replaceState(null, '', `/admin/sign-in?next=${encodeURIComponent(pathname + search)}`);
    return render();
  }
  document.body.classList.toggle('signed-out', !signedIn || Boolean(match?.r.public));
  updateSidebar(pathname);

  const page = h('div', { class: 'page' });
  replace(main, page);
  const flash = /** @type {{ flash?: string } | null} */ (history.state)?.flash ?? null;
  if (flash) history.replaceState(null, '', pathname + search);
  /** @type {ViewContext} */
  const ctx = {
    main: page,
    params: {},
    query: new URLSearchParams(search),
    navigate,
    title: (title) => {
      document.title = `${title} · Switchboard`;
    },
    flash,
    current: () => seq === renderSeq,
  };
  if (!match) {
    ctx.title('Not found');
    replace(page, h('h1', null, 'Page not found'), h('p', null, h('a', { href: HOME }, 'Go to marketing messages')));
    return;
  }
  match.r.keys.forEach((key, i) => {
    ctx.params[key] = decodeURIComponent(/** @type {RegExpExecArray} */ (match.m)[i + 1]);
  });
  try {
    await match.r.view(ctx);
  } catch (error) {
    if (ctx.current()) page.append(errorBlock(error));
  }
  if (ctx.current() && !main.contains(document.activeElement)) {
    // Move focus to the new page's heading so screen readers announce the navigation.
    const heading = /** @type {HTMLElement | null} */ (page.querySelector('h1'));
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  }
}

/** @param {string} pathname */
function updateSidebar(pathname) {
  for (const link of document.querySelectorAll('#nav a[data-section]')) {
    const section = /** @type {HTMLElement} */ (link).dataset.section ?? '';
    const active = pathname === `/admin/${section}` || pathname.startsWith(`/admin/${section}/`);
    if (active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const user = document.getElementById('session-user');
  if (user) user.textContent = session.username() ? `Signed in as ${session.username()}` : '';
  document.getElementById('nav')?.classList.remove('open');
  document.querySelector('.nav-toggle')?.setAttribute('aria-expanded', 'false');
}

function signOut() {
  session.clear();
  navigate('/admin/sign-in');
}

setUnauthorizedHandler(() => {
  const { pathname, search } = window.location;
  if (pathname.startsWith('/admin/sign-in')) return;
  navigate(`/admin/sign-in?next=${encodeURIComponent(pathname + search)}&expired=1`, { replace: true });
});

// In-app links navigate without reloading; modified clicks (new tab...) keep the browser's behaviour.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
    return;
  const link = /** @type {Element} */ (event.target).closest?.('a[href]');
  if (!(link instanceof HTMLAnchorElement) || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href);
  if (url.origin !== window.location.origin || !url.pathname.startsWith('/admin')) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});

window.addEventListener('popstate', () => void render());
document.getElementById('sign-out')?.addEventListener('click', signOut);
document.querySelector('.nav-toggle')?.addEventListener('click', (event) => {
  const nav = document.getElementById('nav');
  const open = !nav?.classList.contains('open');
  nav?.classList.toggle('open', open);
  /** @type {HTMLElement} */ (event.currentTarget).setAttribute('aria-expanded', String(open));
});

void render();
