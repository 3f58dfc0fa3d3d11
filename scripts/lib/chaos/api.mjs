// The chaos suite's view from the outside: Switchboard's REST API and the fakes' dev endpoints.
// Reads are retried through gateway restarts and timeouts (the gateway is one of the processes the
// suite kills); writes are not, except when nothing answered at all (the request never arrived).
import { sleep } from '../procs.mjs';

export const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export function apiClient(baseUrl, auth) {
  async function once(method, path, body, { auth: a = auth, contentType } = {}) {
    const headers = { authorization: a };
    let payload;
    if (body !== undefined) {
      headers['content-type'] = contentType ?? 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: payload,
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, body: json, text };
  }

  /** One call; retried for up to `retryMs` when nothing answers, and (for GET) on 5xx and timeouts. */
  async function call(method, path, body, options = {}) {
    const deadline = Date.now() + (options.retryMs ?? 300_000);
    for (;;) {
      let res;
      let error;
      try {
        res = await once(method, path, body, options);
      } catch (err) {
        error = err;
      }
      const refused =
        error && /ECONNREFUSED|ECONNRESET|socket hang up|fetch failed/i.test(String(error.cause ?? error));
      const retriable = refused || (method === 'GET' && (error || res.status >= 500));
      if (!retriable || Date.now() > deadline) {
        if (error)
          throw new Error(
            `${method} ${path}: ${error.message}${error.cause ? ` (${error.cause.code ?? error.cause.message})` : ''}`,
          );
        return res;
      }
      await sleep(1_000);
    }
  }

  /** A call that must answer `expected`; throws with the body otherwise. */
  async function must(expected, method, path, body, options) {
    const res = await call(method, path, body, options);
    if (res.status !== expected)
      throw new Error(`${method} ${path} answered ${res.status}, not ${expected}: ${res.text.slice(0, 500)}`);
    return res.body;
  }

  return { call, must };
}
