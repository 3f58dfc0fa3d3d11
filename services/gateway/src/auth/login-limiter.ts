import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@switchboard/contracts';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { GatewayConfig } from '../gateway.config';
import { LoginFailuresRepository } from './login-failures.repository';

/** 429 with `Retry-After`: too many failed logins for an address, a username or a client id. */
export class TooManyLoginsError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super(ErrorCode.TooMany, 'Too many failed logins; try again later.');
  }
}

/**
 * Failed logins counted per address and per username (or client id) in `gateway.login_failures`,
 * shared by every gateway instance. A key at its limit refuses further tries, right or wrong, until
 * its window ends — before any password hash is computed, so a flood costs no scrypt.
 */
@Injectable()
export class LoginLimiter {
  constructor(
    private readonly failures: LoginFailuresRepository,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  private limitOf(key: string): number {
    const { maxPerAddress, maxPerName } = this.config.auth.loginLimits;
    return key.startsWith('ip:') ? maxPerAddress : maxPerName;
  }

  /** Throws TooManyLoginsError when any key is at its limit. */
  async assertAllowed(keys: string[]): Promise<void> {
    const now = Date.now();
    const rows = await this.failures.current(keys, now);
    const blocked = rows.filter((r) => r.points >= this.limitOf(r.key));
    if (blocked.length === 0) return;
    const until = Math.max(...blocked.map((r) => Number(r.expire)));
    throw new TooManyLoginsError(Math.max(1, Math.ceil((until - now) / 1000)));
  }

  async failed(keys: string[]): Promise<void> {
    await this.failures.increment(keys, Date.now(), this.config.auth.loginLimits.windowSeconds * 1000);
  }

  async succeeded(key: string): Promise<void> {
    await this.failures.clear(key);
  }
}
