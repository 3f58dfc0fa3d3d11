import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@switchboard/contracts';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { DataSource } from 'typeorm';
import type { GatewayConfig } from '../gateway.config';

/** 429 with `Retry-After`: too many failed logins for an address, a username or a client id. */
export class TooManyLoginsError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super(ErrorCode.TooMany, 'Too many failed logins; try again later.');
  }
}

interface CounterRow {
  key: string;
  points: number;
  expire: string;
}

/**
 * Failed logins counted per address and per username (or client id) in `gateway.login_failures`,
 * shared by every gateway instance. A key at its limit refuses further tries, right or wrong, until
 * its window ends — before any password hash is computed, so a flood costs no scrypt.
 */
@Injectable()
export class LoginLimiter {
  constructor(
    private readonly ds: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  private limitOf(key: string): number {
    const { maxPerAddress, maxPerName } = this.config.auth.loginLimits;
    return key.startsWith('ip:') ? maxPerAddress : maxPerName;
  }

  /** Throws TooManyLoginsError when any key is at its limit. */
  async assertAllowed(keys: string[]): Promise<void> {
    const now = Date.now();
    const rows: CounterRow[] = await this.ds.query(
      'SELECT key, points, expire FROM gateway.login_failures WHERE key = ANY($1) AND expire > $2',
      [keys, now],
    );
    const blocked = rows.filter((r) => r.points >= this.limitOf(r.key));
    if (blocked.length === 0) return;
    const until = Math.max(...blocked.map((r) => Number(r.expire)));
    throw new TooManyLoginsError(Math.max(1, Math.ceil((until - now) / 1000)));
  }

  async failed(keys: string[]): Promise<void> {
    const now = Date.now();
    const windowMs = this.config.auth.loginLimits.windowSeconds * 1000;
    await this.ds.query(
      `INSERT INTO gateway.login_failures AS f (key, points, expire)
       SELECT k, 1, $2::bigint + $3::bigint FROM unnest($1::text[]) AS k
       ON CONFLICT (key) DO UPDATE SET
         points = CASE WHEN f.expire <= $2 THEN 1 ELSE f.points + 1 END,
         expire = CASE WHEN f.expire <= $2 THEN $2::bigint + $3::bigint ELSE f.expire END`,
      [keys, now, windowMs],
    );
  }

  async succeeded(key: string): Promise<void> {
    await this.ds.query('DELETE FROM gateway.login_failures WHERE key = $1', [key]);
  }
}
