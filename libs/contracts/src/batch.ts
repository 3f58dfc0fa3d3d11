import { hash } from 'node:crypto';
import { z } from 'zod';
import { DispatchSchema, RoutingOutcomeSchema, SendRequestedSchema } from './events';
import type { StreamFamily } from './naming';

/**
 * DESIGN §5 "Batching": on the hot path one message may carry up to BATCH_MAX_ITEMS items under
 * one key instead of one item. Each item keeps the id it would have as a message of its own.
 */
export const BATCH_MAX_ITEMS = 1_000;

/** The envelope key of each family that may carry batches. */
export const BATCH_KEYS = { send: 'sends', dispatch: 'dispatches', routing: 'outcomes' } as const;
export type BatchFamily = keyof typeof BATCH_KEYS;
export type BatchKey = (typeof BATCH_KEYS)[BatchFamily];

export function isBatchFamily(family: StreamFamily): family is BatchFamily {
  return family in BATCH_KEYS;
}

export const SendRequestedBatchSchema = z.object({
  sends: z.array(SendRequestedSchema).min(1).max(BATCH_MAX_ITEMS),
});
export const DispatchBatchSchema = z.object({
  dispatches: z.array(DispatchSchema).min(1).max(BATCH_MAX_ITEMS),
});
export const RoutingOutcomeBatchSchema = z.object({
  outcomes: z.array(RoutingOutcomeSchema).min(1).max(BATCH_MAX_ITEMS),
});

interface ItemIdFields {
  sendId?: unknown;
  dispatchId?: unknown;
  attempt?: unknown;
  deferrals?: unknown;
  outcome?: unknown;
}

/**
 * The idempotency key an item would carry as a single message: a send request by its send,
 * attempt and deferral; a dispatch by its id; an outcome as the router keys it.
 */
export function batchItemId(family: BatchFamily, item: ItemIdFields): string {
  switch (family) {
    case 'send':
      return `${String(item.sendId)}:${Number(item.attempt ?? 0)}:${Number(item.deferrals ?? 0)}`;
    case 'dispatch':
      return String(item.dispatchId);
    case 'routing':
      return `${String(item.sendId)}:${Number(item.attempt ?? 0)}:${Number(item.deferrals ?? 0)}:${String(item.outcome)}`;
  }
}

/** A batch's `Nats-Msg-Id`: the same items, in any order, give the same id. */
export function batchMsgId(family: BatchFamily, itemIds: string[]): string {
  // One update of the joined ids (the same bytes as one per id, a fraction of the calls).
  const digest = hash('sha256', `${[...itemIds].sort().join('\n')}\n`, 'base64url');
  return `${family}-batch:${itemIds.length}:${digest.slice(0, 32)}`;
}
