import { z } from 'zod';
import { ChannelSchema } from '../channels';
import { ContactIdSchema } from '../primitives';
import {
  DeliveriesPageSchema,
  DeliveryStatusSchema,
  StatsSchema,
  UnsubscriptionSchema,
  WebhookInputSchema,
  WebhookSchema,
} from '../rpc/tracker.rpc';
import { BoolInput, IntInput, parseDateInput } from './input.dto';

/** A moment in a query string: ISO 8601, `yyyy-MM-dd HH:mm` or `yyyy-MM-dd` (UTC midnight). */
const MomentQuery = z.string().transform((v, ctx) => {
  const iso = parseDateInput(v);
  if (!iso) {
    ctx.addIssue({ code: 'custom', message: 'Please enter a valid date (ISO 8601 or yyyy-MM-dd HH:mm).' });
    return z.NEVER;
  }
  return iso;
});

/** A day in a query string (a date-time is cut to its UTC day). */
const DayQuery = MomentQuery.transform((iso) => iso.slice(0, 10));

/** GET /api/deliveries (DESIGN §7.5). */
export const DeliveriesRestQuerySchema = z.object({
  messageId: IntInput.pipe(z.number().int().positive()).optional(),
  campaignId: z.string().min(1).max(200).optional(),
  shipmentId: z.string().min(1).max(200).optional(),
  contactId: ContactIdSchema.optional(),
  channel: ChannelSchema.optional(),
  status: DeliveryStatusSchema.optional(),
  from: MomentQuery.optional(),
  to: MomentQuery.optional(),
  search: z.string().trim().max(200).optional(),
  after: z.string().max(100).optional(),
  limit: IntInput.pipe(z.number().int().min(1, 'limit is 1 to 500.').max(500, 'limit is 1 to 500.')).optional(),
});
export type DeliveriesRestQuery = z.infer<typeof DeliveriesRestQuerySchema>;
export const DeliveriesResponseSchema = DeliveriesPageSchema;

/** GET /api/messages/{id}/stats and /api/campaigns/{id}/stats: optional day range of the figures. */
export const StatsRestQuerySchema = z.object({ from: DayQuery.optional(), to: DayQuery.optional() });
export const StatsResponseSchema = z.object({ stats: StatsSchema });

/** GET /api/unsubscriptions */
export const UnsubscriptionsRestQuerySchema = z.object({
  search: z.string().trim().max(200).optional(),
  channel: ChannelSchema.optional(),
  start: IntInput.optional(),
  limit: IntInput.pipe(z.number().int().min(1, 'limit is 1 to 500.').max(500, 'limit is 1 to 500.')).optional(),
});
export const UnsubscriptionViewSchema = UnsubscriptionSchema.extend({
  /** The contact is still on the channel's do-not-contact list (false once re-enrolled; null if unknown). */
  active: z.boolean().nullable(),
});
export const UnsubscriptionsResponseSchema = z.object({
  total: z.number().int(),
  unsubscriptions: z.array(UnsubscriptionViewSchema),
});

/** /api/webhooks bodies: Mautic clients send booleans as 0/1. */
export const WebhookRestInputSchema = WebhookInputSchema.extend({ isPublished: BoolInput.optional() });
export const WebhookRestPatchSchema = WebhookRestInputSchema.partial();
export const WebhookResponseSchema = z.object({ webhook: WebhookSchema });
export const WebhooksResponseSchema = z.object({ total: z.number().int(), webhooks: z.array(WebhookSchema) });
