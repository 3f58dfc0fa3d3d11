import { z } from 'zod';
import { ChannelSchema } from '../channels';
import { DELIVERY_EVENTS, ROUTING_OUTCOMES } from '../naming';
import { ContactIdSchema, IdSchema, IsoDateTimeSchema } from '../primitives';
import { DeliveryErrorSchema, SkippedSchema } from '../events';
import { rpcContract } from '../rpc';

/**
 * The status of one send in the deliveries log. Within the send's current dispatch the furthest
 * status wins (sent < delivered < opened < clicked < unsubscribed < complained < bounced < failed);
 * `deferred` belongs to a send waiting for its next routing, `suppressed` (routing failed) to a send
 * never dispatched: a re-route that fails after a dispatch leaves the row on that dispatch's status.
 */
export const DELIVERY_STATUSES = [
  'deferred',
  'routed',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'unsubscribed',
  'complained',
  'bounced',
  'failed',
  'suppressed',
] as const;
export const DeliveryStatusSchema = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

/**
 * How far one dispatch got, from its delivery events: the furthest status wins (`routed` before
 * any). A bounce that only removed a dead push target (`targetRemoved`, isTargetRemoval) is about
 * that target: it counts only when no target took the dispatch (no `sent`), and then above the
 * sender's `failed`, which only says nothing took it. The tracker's deliveries log applies the same
 * rule in SQL (services/tracker ingest.repository.ts).
 */
export function dispatchStatus(
  events: ReadonlyArray<{ event: DeliveryStatus; targetRemoved?: boolean }>,
): DeliveryStatus {
  const reached = events.some((e) => e.event === 'sent');
  let best: { status: DeliveryStatus; rank: number } = { status: 'routed', rank: DELIVERY_STATUSES.indexOf('routed') };
  for (const e of events) {
    const rank = !e.targetRemoved
      ? DELIVERY_STATUSES.indexOf(e.event)
      : reached
        ? -1
        : DELIVERY_STATUSES.indexOf('failed') + 0.5;
    if (rank > best.rank) best = { status: e.event, rank };
  }
  return best.status;
}

const MessageIdSchema = z.number().int().positive();
const CampaignIdSchema = z.string().min(1).max(200);

/** Filters of GET /api/deliveries (DESIGN §7.5); `after` is the opaque cursor of the previous page. */
export const DeliveriesQuerySchema = z.object({
  messageId: MessageIdSchema.optional(),
  campaignId: CampaignIdSchema.optional(),
  shipmentId: CampaignIdSchema.optional(),
  contactId: ContactIdSchema.optional(),
  channel: ChannelSchema.optional(),
  status: DeliveryStatusSchema.optional(),
  /** Sends first seen at or after `from`, and before `to`. */
  from: IsoDateTimeSchema.optional(),
  to: IsoDateTimeSchema.optional(),
  /** The beginning of the contact's email, name or a word of the name, or the contact id. */
  search: z.string().trim().min(1).max(200).optional(),
  after: z.string().max(100).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
export type DeliveriesQuery = z.infer<typeof DeliveriesQuerySchema>;

const Ts = IsoDateTimeSchema.nullable();

export const DeliveryRowSchema = z.object({
  id: z.number().int(),
  sendId: IdSchema,
  dispatchId: IdSchema.nullable(),
  messageId: MessageIdSchema,
  campaignId: z.string().nullable(),
  campaignEventId: z.string().nullable(),
  shipmentId: z.string().nullable(),
  /** The channel of the current dispatch; for a send never dispatched, the channel it was headed for. */
  channel: ChannelSchema.nullable(),
  status: DeliveryStatusSchema,
  contact: z.object({ id: z.string(), email: z.string().nullable(), name: z.string().nullable() }),
  /** Skip reasons of the latest routing decision. */
  reasons: z.array(SkippedSchema),
  /** Why routing failed (`no_channel`, `unpublished`...), when it did: first, or re-routing after a dispatch that bounced or failed. */
  failureReason: z.string().nullable(),
  /** The provider's error of the failed or bounced delivery the status shows. */
  error: DeliveryErrorSchema.nullable(),
  /** The content variant the current dispatch sent (DESIGN §7.2); null for the base content or before a send. */
  variant: z.string().nullable().optional(),
  /** An email's dynamic content: per token, `default` or the position of the alternative sent. */
  dynamicContent: z.record(z.string(), z.string()).nullable().optional(),
  attempts: z.number().int(),
  deferrals: z.number().int(),
  retryAt: Ts,
  opens: z.number().int(),
  clicks: z.number().int(),
  dateAdded: IsoDateTimeSchema,
  dateModified: IsoDateTimeSchema,
  routedAt: Ts,
  sentAt: Ts,
  deliveredAt: Ts,
  failedAt: Ts,
  bouncedAt: Ts,
  openedAt: Ts,
  clickedAt: Ts,
  unsubscribedAt: Ts,
  complainedAt: Ts,
});
export type DeliveryRow = z.infer<typeof DeliveryRowSchema>;

export const DeliveriesPageSchema = z.object({
  deliveries: z.array(DeliveryRowSchema),
  /** Cursor of the next page (`after`), null on the last page. */
  next: z.string().nullable(),
});
export type DeliveriesPage = z.infer<typeof DeliveriesPageSchema>;

/** The figures of DESIGN §7.5. */
export const STAT_FIGURES = [
  'reach',
  'shipments',
  'sent',
  'delivered',
  'failed',
  'bounced',
  'opened',
  'uniqueOpened',
  'clicked',
  'uniqueClicked',
  'unsubscribed',
  'complained',
  'deferred',
  'suppressed',
] as const;
export type StatFigure = (typeof STAT_FIGURES)[number];
export const StatFiguresSchema = z.object(
  Object.fromEntries(STAT_FIGURES.map((f) => [f, z.number().int().min(0)])) as Record<StatFigure, z.ZodNumber>,
);
export type StatFigures = z.infer<typeof StatFiguresSchema>;

/** The figures of one content variant on one channel (DESIGN §7.2). */
export const VARIANT_FIGURES = [
  'sent',
  'delivered',
  'failed',
  'bounced',
  'opened',
  'uniqueOpened',
  'clicked',
  'uniqueClicked',
  'unsubscribed',
] as const;
export type VariantFigure = (typeof VARIANT_FIGURES)[number];
export const VariantFiguresSchema = z.object({
  channel: ChannelSchema,
  variant: z.string().nullable(),
  ...(Object.fromEntries(VARIANT_FIGURES.map((f) => [f, z.number().int().min(0)])) as Record<
    VariantFigure,
    z.ZodNumber
  >),
});
export type VariantFigures = z.infer<typeof VariantFiguresSchema>;

export const StatsSchema = z.object({
  messageId: MessageIdSchema.nullable(),
  campaignId: z.string().nullable(),
  total: StatFiguresSchema,
  /** Every channel that has a figure. */
  channels: z.partialRecord(ChannelSchema, StatFiguresSchema),
  /** Per UTC day and channel (null: sends that failed routing before any channel was judged), oldest first. */
  daily: z.array(StatFiguresSchema.extend({ date: z.iso.date(), channel: ChannelSchema.nullable() })),
  /**
   * Per channel and content variant (null: the base content), for messages whose content has
   * variants (empty otherwise): the sends whose current dispatch was sent, and what followed.
   */
  variants: z.array(VariantFiguresSchema).optional(),
});
export type Stats = z.infer<typeof StatsSchema>;

const StatsRangeSchema = { from: z.iso.date().optional(), to: z.iso.date().optional() };

/** Webhook triggers: one event type, a family (`delivery.*`) or everything (`*`). */
export const WEBHOOK_TRIGGERS = [
  '*',
  'routing.*',
  'delivery.*',
  ...ROUTING_OUTCOMES.map((o) => `routing.${o}` as const),
  ...DELIVERY_EVENTS.map((e) => `delivery.${e}` as const),
] as const;
export const WebhookTriggerSchema = z.enum(WEBHOOK_TRIGGERS);

export const WebhookInputSchema = z.object({
  name: z.string({ error: 'A name is required.' }).trim().min(1, 'A name is required.').max(191),
  description: z.string().max(2000).nullable().optional(),
  webhookUrl: z.url({ protocol: /^https?$/, error: 'A valid http(s) URL is required.' }),
  triggers: z
    .array(WebhookTriggerSchema, { error: 'At least one trigger is required.' })
    .min(1, 'At least one trigger is required.'),
  isPublished: z.boolean().optional(),
  /** The HMAC key; generated when omitted. */
  secret: z.string().min(16, 'A secret has at least 16 characters.').max(200).optional(),
});
export type WebhookInput = z.infer<typeof WebhookInputSchema>;

export const WebhookSchema = z.object({
  id: z.number().int().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  webhookUrl: z.string(),
  /** The HMAC key, only in the answer that created the webhook. */
  secret: z.string().optional(),
  triggers: z.array(WebhookTriggerSchema),
  isPublished: z.boolean(),
  dateAdded: IsoDateTimeSchema,
  dateModified: IsoDateTimeSchema,
  createdBy: z.string().nullable(),
  /** Deliveries waiting for (another) attempt, and those given up after the last attempt. */
  pending: z.number().int(),
  failed: z.number().int(),
});
export type Webhook = z.infer<typeof WebhookSchema>;

/** The latest unsubscribe of a contact from a channel, as the tracker saw it (tracking links, provider reports). */
export const UnsubscriptionSchema = z.object({
  contact: z.object({ id: z.string(), email: z.string().nullable(), name: z.string().nullable() }),
  channel: ChannelSchema,
  messageId: MessageIdSchema,
  campaignId: z.string().nullable(),
  sendId: IdSchema,
  dateAdded: IsoDateTimeSchema,
});
export type Unsubscription = z.infer<typeof UnsubscriptionSchema>;

const IdParam = z.object({ id: z.number().int().positive() });

/** sb.rpc.tracker.deliveries.list — one keyset page of the deliveries log, newest first. */
export const trackerDeliveriesList = rpcContract(
  'tracker',
  'deliveries.list',
  DeliveriesQuerySchema,
  DeliveriesPageSchema,
);

/** sb.rpc.tracker.stats.message — every figure per channel plus the daily series of one message. */
export const trackerMessageStats = rpcContract(
  'tracker',
  'stats.message',
  z.object({ messageId: MessageIdSchema, ...StatsRangeSchema }),
  StatsSchema,
);

/** sb.rpc.tracker.stats.campaign — the same for one campaign (all its messages). */
export const trackerCampaignStats = rpcContract(
  'tracker',
  'stats.campaign',
  z.object({ campaignId: CampaignIdSchema, ...StatsRangeSchema }),
  StatsSchema,
);

/**
 * sb.rpc.tracker.stats.shipments — the figures of broadcast shipments, from their rows of the
 * deliveries log (a shipment sends once to each contact, so a send is a contact): `sent`,
 * `delivered`... count sends that reached that state; `failed` counts sends whose delivery failed.
 */
export const trackerShipmentStats = rpcContract(
  'tracker',
  'stats.shipments',
  z.object({ shipmentIds: z.array(CampaignIdSchema).min(1).max(200) }),
  z.object({ shipments: z.array(StatsSchema.extend({ shipmentId: z.string() })) }),
);

/** The list columns of a campaign (DESIGN §7.4): sends sent, failed (delivery failed, bounced or routing failed), unique opens and clicks. */
export const CampaignFiguresSchema = z.object({
  sent: z.number().int().min(0),
  failed: z.number().int().min(0),
  opened: z.number().int().min(0),
  clicked: z.number().int().min(0),
});
export type CampaignFigures = z.infer<typeof CampaignFiguresSchema>;

/** sb.rpc.tracker.stats.campaignFigures — the list columns of up to 200 campaigns at once (absent = nothing yet). */
export const trackerCampaignFigures = rpcContract(
  'tracker',
  'stats.campaignFigures',
  z.object({ campaignIds: z.array(CampaignIdSchema).max(200) }),
  z.object({ campaigns: z.array(CampaignFiguresSchema.extend({ campaignId: z.string() })) }),
);

/** sb.rpc.tracker.unsubscriptions.list — one row per (contact, channel), newest first; `search` as in deliveries. */
export const trackerUnsubscriptionsList = rpcContract(
  'tracker',
  'unsubscriptions.list',
  z.object({
    search: z.string().trim().min(1).max(200).optional(),
    channel: ChannelSchema.optional(),
    start: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(500).default(30),
  }),
  z.object({ total: z.number().int(), unsubscriptions: z.array(UnsubscriptionSchema) }),
);

export const trackerWebhooksList = rpcContract(
  'tracker',
  'webhooks.list',
  z.object({ start: z.number().int().min(0).default(0), limit: z.number().int().min(0).max(1000).default(30) }),
  z.object({ total: z.number().int(), webhooks: z.array(WebhookSchema) }),
);
export const trackerWebhooksGet = rpcContract('tracker', 'webhooks.get', IdParam, WebhookSchema);
export const trackerWebhooksCreate = rpcContract(
  'tracker',
  'webhooks.create',
  z.object({ webhook: WebhookInputSchema, createdBy: z.string().nullable().optional() }),
  WebhookSchema,
);
/** `replace: true` (PUT) clears what is not given; otherwise (PATCH) omitted fields stay. */
export const trackerWebhooksUpdate = rpcContract(
  'tracker',
  'webhooks.update',
  z.object({
    id: z.number().int().positive(),
    webhook: WebhookInputSchema.partial(),
    replace: z.boolean().default(false),
  }),
  WebhookSchema,
);
/** Returns the deleted webhook with `id` null. */
export const trackerWebhooksDelete = rpcContract('tracker', 'webhooks.delete', IdParam, WebhookSchema);
