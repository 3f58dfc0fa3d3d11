import { api, session } from '../api.js';
import { alertBox, busy, field, h, replace, valueOf } from '../dom.js';

/** The credentials are checked against `GET /api/users/self`, then kept for this tab only (sessionStorage). */
export function signInPage(/** @type {import('../app.js').ViewContext} */ ctx) {
  ctx.title('Sign in');
  const alert = alertBox();
  const next = ctx.query.get('next');
  const target = next && next.startsWith('/admin/') && !next.startsWith('/admin/sign-in') ? next : '/admin/messages';

  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { novalidate: true, 'aria-labelledby': 'sign-in-title' },
      alert,
      field({
        name: 'username',
        label: 'Username',
        attrs: { autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' },
      }),
      field({ name: 'password', label: 'Password', type: 'password', attrs: { autocomplete: 'current-password' } }),
      h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    )
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const username = valueOf(form, 'username').trim();
    const password = valueOf(form, 'password');
    if (!username || !password) {
      replace(alert, 'Enter your username and password.');
      return;
    }
    void busy(form, async () => {
      const authorization = session.basic(username, password);
      try {
        await api('GET', '/api/users/self', undefined, { authorization });
      } catch (error) {
        const status = /** @type {{ status?: number }} */ (error).status;
        replace(
          alert,
          status === 401 ? 'Wrong username or password.' : error instanceof Error ? error.message : String(error),
        );
        return;
      }
      session.save(authorization, username);
      ctx.navigate(target, { replace: true });
    });
  });

  replace(
    ctx.main,
    h(
      'div',
      { class: 'sign-in card' },
      h('h1', { id: 'sign-in-title' }, 'Sign in to Switchboard'),
      ctx.query.get('expired')
        ? h('p', { class: 'muted', role: 'status' }, 'Your session has ended. Please sign in again.')
        : null,
      form,
    ),
  );
  /** @type {HTMLInputElement | null} */ (form.querySelector('input'))?.focus();
}
