// The one way the UI talks to the gateway: JSON over fetch with the signed-in user's Basic credentials.

const AUTH_KEY = 'switchboard.auth';
const USER_KEY = 'switchboard.user';

/** An error answer of the API (Mautic shape) or a network failure (status 0). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {Record<string, string[]>} [details] field path → messages
   */
  constructor(status, message, details = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.details = details;
  }
}

/** @param {number} status @param {unknown} body @param {string} text */
function toApiError(status, body, text) {
  const errors =
    body && typeof body === 'object' && Array.isArray(/** @type {any} */ (body).errors)
      ? /** @type {any} */ (body).errors
      : null;
  if (errors && errors.length > 0) {
    /** @type {Record<string, string[]>} */
    const details = {};
    for (const error of errors) {
      if (error && typeof error.details === 'object' && error.details !== null && !Array.isArray(error.details)) {
        for (const [field, messages] of Object.entries(error.details)) {
          (details[field] ??= []).push(...(Array.isArray(messages) ? messages.map(String) : [String(messages)]));
        }
      }
    }
    let message =
      errors
        .map((/** @type {any} */ e) => String(e?.message ?? ''))
        .filter(Boolean)
        .join(' ') || `Request failed (${status}).`;
    // The gateway's answer for a route it does not have: say so in the UI's terms.
    if (status === 404 && message === 'Requested URL not found.')
      message = 'This part of the API is not available on this server yet.';
    return new ApiError(status, message, details);
  }
  const fallback = {
    401: 'Authorization is required.',
    403: 'You do not have access to this.',
    404: 'Item was not found.',
    502: 'A service behind the gateway is not answering.',
    503: 'A service behind the gateway is unavailable.',
    504: 'A service behind the gateway did not answer in time.',
  }[status];
  return new ApiError(status, fallback ?? (text && text.length < 300 ? text : `Request failed (${status}).`));
}

/** @param {string} value */
function base64Utf8(value) {
  let binary = '';
  for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export const session = {
  /** @returns {string | null} */
  authorization: () => sessionStorage.getItem(AUTH_KEY),
  /** @returns {string | null} */
  username: () => sessionStorage.getItem(USER_KEY),
  /** @param {string} username @param {string} password */
  basic: (username, password) => `Basic ${base64Utf8(`${username}:${password}`)}`,
  /** @param {string} authorization @param {string} username */
  save(authorization, username) {
    sessionStorage.setItem(AUTH_KEY, authorization);
    sessionStorage.setItem(USER_KEY, username);
  },
  clear() {
    sessionStorage.removeItem(AUTH_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

/** @type {() => void} */
let onUnauthorized = () => undefined;

/** What happens when the API answers 401 to a signed-in request (the app goes back to the sign-in page). */
export function setUnauthorizedHandler(/** @type {() => void} */ handler) {
  onUnauthorized = handler;
}

/**
 * @param {string} method
 * @param {string} path absolute path under the gateway, e.g. `/api/messages`
 * @param {unknown} [body] sent as JSON
 * @param {{ authorization?: string }} [options] credentials other than the session's (sign-in)
 * @returns {Promise<any>} the parsed JSON answer
 */
export async function api(method, path, body, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  const authorization = options.authorization ?? session.authorization();
  if (authorization) headers.authorization = authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    // credentials 'omit': the Authorization header is ours; no cookies, and no browser login prompt on a 401.
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Check your connection and try again.');
  }
  const text = await res.text();
  let data;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (res.status === 401 && !options.authorization) {
    session.clear();
    onUnauthorized();
  }
  if (!res.ok) throw toApiError(res.status, data, text);
  return data;
}

/**
 * A query string from the non-empty values of `params` (`?a=1&b=x`, or '' when none).
 * @param {Record<string, string | number | null | undefined>} params
 */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
