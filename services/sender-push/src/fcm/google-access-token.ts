import { sign } from 'node:crypto';
import { DeliveryError } from '@switchboard/channel-sdk';
import type { ServiceAccount } from '../sender-push.config';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Renew this long before Google's expiry, so a token never dies in flight. */
const REFRESH_MARGIN_MS = 5 * 60_000;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * OAuth 2.0 access tokens for a service account (RFC 7523 JWT bearer grant, as Google's auth
 * libraries do it): an RS256-signed assertion exchanged at the account's token_uri, cached until
 * shortly before it expires, one exchange at a time.
 */
export class GoogleAccessToken {
  private cached?: { token: string; expiresAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly account: ServiceAccount,
    private readonly timeoutMs: number,
    private readonly now = () => Date.now(),
  ) {}

  get(): Promise<string> {
    if (this.cached && this.cached.expiresAt - REFRESH_MARGIN_MS > this.now())
      return Promise.resolve(this.cached.token);
    this.pending ??= this.exchange().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets a token the API refused (revoked, or a clock skew). */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  assertion(): string {
    const iat = Math.floor(this.now() / 1000);
    const header = {
      alg: 'RS256',
      typ: 'JWT',
      ...(this.account.private_key_id ? { kid: this.account.private_key_id } : {}),
    };
    const claims = {
      iss: this.account.client_email,
      scope: FCM_SCOPE,
      aud: this.account.token_uri,
      iat,
      exp: iat + 3600,
    };
    const input = `${b64(header)}.${b64(claims)}`;
    return `${input}.${sign('RSA-SHA256', Buffer.from(input), this.account.private_key).toString('base64url')}`;
  }

  private async exchange(): Promise<string> {
    const res = await fetch(this.account.token_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: JWT_BEARER, assertion: this.assertion() }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = (await res.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    };
    if (!res.ok || !body.access_token) {
      // A refused service account is the provider's configuration, not the recipient: transient (the breaker opens).
      throw DeliveryError.transient(
        'fcm_auth',
        `the token endpoint answered ${res.status}: ${body.error ?? ''} ${body.error_description ?? ''}`.trim(),
      );
    }
    this.cached = { token: body.access_token, expiresAt: this.now() + (body.expires_in ?? 3600) * 1000 };
    return body.access_token;
  }
}
