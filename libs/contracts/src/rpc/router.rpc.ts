import { z } from 'zod';
import { ChannelSchema } from '../channels';
import { DELIVERY_EVENTS, ROUTING_OUTCOMES } from '../naming';
import { DeliveryStatusSchema } from './tracker.rpc';
import { ContactIdSchema, IdSchema, IsoDateTimeSchema } from '../primitives';
import { DeliveryErrorSchema, FAILURE_REASONS, SkippedSchema } from '../events';
import { rpcContract } from '../rpc';

/** One routing decision of a send: one per (attempt, deferrals). */
export const SendDecisionSchema = z.object({
  attempt: z.number().int().min(0),
  deferrals: z.number().int().min(0),
  outcome: z.enum(ROUTING_OUTCOMES),
  channel: ChannelSchema.nullable(),
  dispatchId: IdSchema.nullable(),
  /** The candidates in the order they were judged. */
  candidates: z.array(ChannelSchema),
  skipped: z.array(SkippedSchema),
  retryAt: IsoDateTimeSchema.nullable(),
  reason: z.enum(FAILURE_REASONS).nullable(),
  decidedAt: IsoDateTimeSchema,
});
export type SendDecision = z.infer<typeof SendDecisionSchema>;

export const SendDeliveryEventSchema = z.object({
  event: z.enum(DELIVERY_EVENTS),
  occurredAt: IsoDateTimeSchema,
  error: DeliveryErrorSchema.nullable(),
  url: z.string().nullable(),
  provider: z.string().nullable(),
  /** A bounce that only removed one dead push subscription or device of the contact (DESIGN §6). */
  targetRemoved: z.boolean().optional(),
  /** On `sent` and `failed`: the content variant rendered (DESIGN §7.2); absent for the base content. */
  variant: z.string().optional(),
  /** On an email's `sent` and `failed`: per dynamic-content token, `default` or the alternative's position. */
  dynamicContent: z.record(z.string(), z.string()).optional(),
});

export const SendDispatchSchema = z.object({
  dispatchId: IdSchema,
  channel: ChannelSchema,
  contentId: z.number().int().nullable(),
  attempt: z.number().int().min(0),
  dispatchedAt: IsoDateTimeSchema,
  /**
   * Times its provider call was made again because a sender crashed while the call was in flight
   * (the sender's `crash_resends`): above 0, the contact may have received it twice.
   */
  resentAfterCrash: z.number().int().min(0),
  /**
   * How far it got (dispatchStatus, as the deliveries log reads it): a dispatch that bounced stays
   * `bounced` when the re-route after it finds no channel; the send's `status`/`reason` say that.
   */
  status: DeliveryStatusSchema,
  /** Delivery events reported for this dispatch so far, oldest first. */
  events: z.array(SendDeliveryEventSchema),
  /** The content variant this dispatch sent (from its `sent` or `failed`); null for the base content or before. */
  variant: z.string().nullable().optional(),
});

/** The decision record of one send (GET /api/sends/{sendId}). Top-level fields describe the latest decision. */
export const SendRecordSchema = z.object({
  sendId: IdSchema,
  messageId: z.number().int().positive(),
  contactId: ContactIdSchema,
  campaignId: z.string().nullable(),
  campaignEventId: z.string().nullable(),
  shipmentId: z.string().nullable(),
  /** The W3C trace id of the send (from its request to its delivery events); null when untraced. */
  traceId: z.string().nullable().optional(),
  requestedAt: IsoDateTimeSchema,
  expiresAt: IsoDateTimeSchema,
  /** The order override the request carried, if any. */
  channels: z.array(ChannelSchema).nullable(),
  status: z.enum(ROUTING_OUTCOMES),
  channel: ChannelSchema.nullable(),
  reason: z.enum(FAILURE_REASONS).nullable(),
  retryAt: IsoDateTimeSchema.nullable(),
  candidates: z.array(ChannelSchema),
  skipped: z.array(SkippedSchema),
  /** Routing attempts so far (1 + re-routes after permanent failures). */
  attempts: z.number().int().min(1),
  /** Times the send was deferred. */
  deferrals: z.number().int().min(0),
  decisions: z.array(SendDecisionSchema),
  dispatches: z.array(SendDispatchSchema),
  /** The dispatches' `resentAfterCrash`, summed: above 0, a provider may have been called twice for this send. */
  resentAfterCrash: z.number().int().min(0),
});
export type SendRecord = z.infer<typeof SendRecordSchema>;

/** sb.rpc.router.sends.get — the decision record of one send; NOT_FOUND when the router never decided it. */
export const routerSendsGet = rpcContract('router', 'sends.get', z.object({ sendId: IdSchema }), SendRecordSchema);
