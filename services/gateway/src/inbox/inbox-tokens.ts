import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { errors, jwtVerify, SignJWT } from 'jose';
import { ContactIdSchema, DomainError, ErrorCode } from '@switchboard/contracts';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import type { GatewayConfig } from '../gateway.config';

const UNAUTHORIZED = 'A valid inbox token is required.';

/**
 * The in-app inbox's end-user tokens (DESIGN §7.7): HS256 JWTs that the customer's backend signs
 * for its logged-in user with SB_INBOX_SECRET, `sub` = the contact id. Only HS256 is accepted (no
 * `alg: none`, no algorithm confusion); an expired, forged or malformed token is a 401.
 */
@Injectable()
export class InboxTokens implements OnApplicationBootstrap {
  private readonly key?: Uint8Array;

  constructor(
    @Inject(SERVICE_CONFIG) config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.key = config.inbox.secret ? new TextEncoder().encode(config.inbox.secret) : undefined;
  }

  onApplicationBootstrap(): void {
    if (!this.key) this.logger.warn('SB_INBOX_SECRET is not set: every /inbox request is a 401');
  }

  /** The contact id a token names; DomainError(Unauthorized) for anything else. */
  async contactOf(token: string | undefined): Promise<string> {
    if (!this.key || !token || token.length > 4096) throw new DomainError(ErrorCode.Unauthorized, UNAUTHORIZED);
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      const sub = ContactIdSchema.safeParse(payload.sub);
      if (sub.success) return sub.data;
    } catch (error) {
      if (!(error instanceof errors.JOSEError)) throw error;
    }
    throw new DomainError(ErrorCode.Unauthorized, UNAUTHORIZED);
  }

  /** A token for one contact (the admin UI's example page and tests; customers sign their own). */
  async sign(contactId: string, ttlSeconds: number): Promise<{ token: string; expiresAt: string }> {
    if (!this.key) throw new DomainError(ErrorCode.Unavailable, 'SB_INBOX_SECRET is not set on this gateway.');
    const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(contactId)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }
}

/** The bearer token of a request: `Authorization: Bearer …`, else `?token=` (EventSource cannot set headers). */
export function bearerOf(authorization: string | undefined, query: unknown): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (match) return match[1];
  return typeof query === 'string' && query ? query : undefined;
}
