import { z } from 'zod';
import { rpcContract } from '../rpc';

/** At most this many codes per `incentives.codes.add` request (an upload streams in such batches). */
export const INCENTIVE_CODES_BATCH = 1_000;

/**
 * sb.rpc.catalog.incentives.codes.add — codes for a pool (NOT_FOUND when the pool is missing);
 * codes the pool holds already (or twice in the request) count as duplicates.
 */
export const catalogIncentiveCodesAdd = rpcContract(
  'catalog',
  'incentives.codes.add',
  z.object({
    id: z.number().int().positive(),
    codes: z.array(z.string().min(1).max(64)).max(INCENTIVE_CODES_BATCH),
  }),
  z.object({ added: z.number().int(), duplicates: z.number().int() }),
);

export const IncentiveClaimSchema = z.object({
  incentiveId: z.number().int().positive(),
  /** One code per (pool, send): a redelivery or a re-route of the send gets the same code back. */
  sendId: z.string().min(1).max(256),
});
export type IncentiveClaim = z.infer<typeof IncentiveClaimSchema>;

/**
 * sb.rpc.catalog.incentives.claim — one code per claim, in the order asked; `code` null when the
 * pool is empty, expired or gone. Senders call it while rendering (DESIGN §7.2 incentives).
 */
export const catalogIncentivesClaim = rpcContract(
  'catalog',
  'incentives.claim',
  z.object({ claims: z.array(IncentiveClaimSchema).min(1).max(1_000) }),
  z.object({
    codes: z.array(z.object({ sendId: z.string(), incentiveId: z.number().int(), code: z.string().nullable() })),
  }),
);
