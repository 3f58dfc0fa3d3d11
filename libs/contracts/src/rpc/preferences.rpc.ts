import { z } from 'zod';
import { ChannelSchema } from '../channels';
import { ContactIdSchema, IsoDateTimeSchema } from '../primitives';
import { FAILURE_REASONS, SkippedSchema, DispatchContactSchema } from '../events';
import { rpcContract } from '../rpc';

export const DecisionRequestSchema = z.object({
  sendId: z.string(),
  /** 0 for the first routing; +1 for each re-route after a permanent failure. Reservations are unique on (sendId, attempt). */
  attempt: z.number().int().min(0),
  contactId: ContactIdSchema,
  /**
   * The message's enabled channels that have a live sender, ordered by the override (if any) then
   * the message's own order. Preferences moves the contact's preferred channel to the front.
   */
  channels: z.array(ChannelSchema),
  /** Channels whose content item is missing or unpublished (skip reason `content_unavailable`). */
  contentUnavailable: z.array(ChannelSchema).default([]),
  /** Channels already tried for this send (skip reason `excluded`). */
  excludeChannels: z.array(ChannelSchema).default([]),
  /** Times this send has been deferred already. */
  deferrals: z.number().int().min(0),
  expiresAt: IsoDateTimeSchema,
});
export type DecisionRequest = z.infer<typeof DecisionRequestSchema>;

export const DecisionSchema = z.object({
  sendId: z.string(),
  outcome: z.enum(['routed', 'deferred', 'failed']),
  /** The candidates in the order they were judged. */
  candidates: z.array(ChannelSchema),
  skipped: z.array(SkippedSchema),
  channel: ChannelSchema.optional(),
  /** Who and where to send, when routed. */
  contact: DispatchContactSchema.optional(),
  retryAt: IsoDateTimeSchema.optional(),
  reason: z.enum(FAILURE_REASONS).optional(),
});
export type Decision = z.infer<typeof DecisionSchema>;

/**
 * sb.rpc.preferences.decide — DESIGN §4 steps 2–6 for a batch, in one transaction: the winner's
 * frequency slot is reserved atomically; deciding the same (sendId, attempt) again returns the
 * first decision's channel without a second reservation.
 */
export const preferencesDecide = rpcContract(
  'preferences',
  'decide',
  z.object({ requests: z.array(DecisionRequestSchema).min(1).max(1000) }),
  z.object({ decisions: z.array(DecisionSchema) }),
);
