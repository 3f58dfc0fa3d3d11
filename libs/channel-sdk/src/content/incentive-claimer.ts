import { Injectable } from '@nestjs/common';
import { catalogIncentivesClaim, type IncentiveClaim } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';

/** At most this many claims per request (the contract's limit). */
const MAX_PER_CALL = 1_000;

interface Pending {
  claim: IncentiveClaim;
  resolve: (code: string | null) => void;
  reject: (error: unknown) => void;
}

/**
 * `{{ incentive.code }}`: one code of the content's pool per send, from catalog (DESIGN §7.2).
 * The claims a batch of dispatches makes while it renders go to catalog together, in one request
 * and one SQL statement per pool, instead of one round trip per dispatch. Written here rather than
 * taken from `dataloader`: that package caches by key, which a claim must never be, and the rest
 * is these few lines.
 */
@Injectable()
export class IncentiveClaimer {
  private pending: Pending[] = [];

  constructor(private readonly rpc: RpcClient) {}

  /** The send's code of the pool; null when the pool is empty, expired or gone. */
  claim(claim: IncentiveClaim): Promise<string | null> {
    return new Promise((resolve, reject) => {
      if (this.pending.push({ claim, resolve, reject }) === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const all = this.pending;
    this.pending = [];
    for (let i = 0; i < all.length; i += MAX_PER_CALL) {
      const part = all.slice(i, i + MAX_PER_CALL);
      try {
        const { codes } = await this.rpc.call(catalogIncentivesClaim, { claims: part.map((p) => p.claim) });
        part.forEach((p, j) => p.resolve(codes[j]?.code ?? null));
      } catch (error) {
        for (const p of part) p.reject(error);
      }
    }
  }
}
