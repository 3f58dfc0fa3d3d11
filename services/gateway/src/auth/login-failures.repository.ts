import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { execute } from '@switchboard/persistence';

/** A counter of failed logins: `expire` is epoch ms (bigint, which pg hands over as a string). */
export interface LoginFailureRow {
  key: string;
  points: number;
  expire: string;
}

/** `gateway.login_failures`: failed logins per key (`ip:…`, `user:…`, `client:…`) within a window. */
@Injectable()
export class LoginFailuresRepository {
  constructor(private readonly ds: DataSource) {}

  /** The counters of these keys whose window has not ended at `now`. */
  current(keys: string[], now: number): Promise<LoginFailureRow[]> {
    return this.ds.query<LoginFailureRow[]>(
      'SELECT key, points, expire FROM gateway.login_failures WHERE key = ANY($1) AND expire > $2',
      [keys, now],
    );
  }

  /** One more failure for each key; a key whose window ended starts a new one at `now`. */
  async increment(keys: string[], now: number, windowMs: number): Promise<void> {
    await execute(
      this.ds,
      `INSERT INTO gateway.login_failures AS f (key, points, expire)
       SELECT k, 1, $2::bigint + $3::bigint FROM unnest($1::text[]) AS k
       ON CONFLICT (key) DO UPDATE SET
         points = CASE WHEN f.expire <= $2 THEN 1 ELSE f.points + 1 END,
         expire = CASE WHEN f.expire <= $2 THEN $2::bigint + $3::bigint ELSE f.expire END`,
      [keys, now, windowMs],
    );
  }

  async clear(key: string): Promise<void> {
    await execute(this.ds, 'DELETE FROM gateway.login_failures WHERE key = $1', [key]);
  }
}
