import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ChannelSchema } from './channels';
import { DELIVERY_EVENTS, ROUTING_OUTCOMES } from './naming';
import { ContactIdSchema, IdSchema, IsoDateTimeSchema } from './primitives';
import { ContactInputSchema } from './contact';

const CampaignRefs = {
  campaignId: z.union([z.string(), z.number()]).transform(String).optional(),
  campaignEventId: z.union([z.string(), z.number()]).transform(String).optional(),
  shipmentId: z.string().optional(),
};

/**
 * Mautic's send tokens (`POST /api/emails/{id}/contact/{contactId}/send`): `{token}` → a value
 * (limited HTML) replaced in the rendered content. Keys are stored braced, as Mautic does.
 */
export const SendTokensSchema = z
  .record(z.string().regex(/^\{[^{}]{1,100}\}$/), z.string().max(10_000))
  .refine((t) => Object.keys(t).length <= 100, 'At most 100 tokens.');
export type SendTokens = z.infer<typeof SendTokensSchema>;

const MessageIdSchema = z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)]);

/** sb.campaign.action.v1 — campaign engine → campaign-actions. */
export const CampaignActionSchema = z.object({
  actionId: IdSchema,
  type: z.literal('send_marketing_message'),
  messageId: MessageIdSchema,
  contacts: z
    .array(ContactInputSchema.partial().extend({ id: ContactIdSchema }))
    .min(1)
    .max(1000),
  sendAt: IsoDateTimeSchema.optional(),
  channels: z.array(ChannelSchema).optional(),
  ...CampaignRefs,
});
export type CampaignAction = z.infer<typeof CampaignActionSchema>;

/** sb.campaign.shipment.canceled.v1 — campaign-actions → router: sends of these shipments not routed yet end `failed`/`canceled`. */
export const ShipmentCanceledSchema = z.object({
  shipmentIds: z.array(z.string().min(1).max(200)).min(1).max(1000),
  canceledAt: IsoDateTimeSchema,
});
export type ShipmentCanceled = z.infer<typeof ShipmentCanceledSchema>;

/** sb.send.requested.v1 — campaign-actions, gateway → router. */
export const SendRequestedSchema = z.object({
  sendId: IdSchema,
  messageId: z.number().int().positive(),
  contactId: ContactIdSchema,
  requestedAt: IsoDateTimeSchema,
  expiresAt: IsoDateTimeSchema,
  channels: z.array(ChannelSchema).optional(),
  excludeChannels: z.array(ChannelSchema).optional(),
  /** How many times this send was deferred before (0 on the first request). */
  deferrals: z.number().int().min(0).optional(),
  /** Re-route attempt after a permanent failure (0 on the first routing). */
  attempt: z.number().int().min(0).optional(),
  /**
   * Channels an earlier attempt's sender found it could not send, and why (`content_unavailable`,
   * `no incentive left`): this attempt reports them so instead of `excluded`.
   */
  skippedBefore: z
    .array(
      z.object({ channel: ChannelSchema, reason: z.literal('content_unavailable'), detail: z.string().optional() }),
    )
    .optional(),
  tokens: SendTokensSchema.optional(),
  ...CampaignRefs,
});
export type SendRequested = z.infer<typeof SendRequestedSchema>;

export const DispatchContactSchema = z.object({
  id: ContactIdSchema,
  /** Channel address: an email, an E.164 number, a twitter handle, or JSON-able push targets. */
  address: z.union([z.string(), z.array(z.record(z.string(), z.unknown()))]),
  locale: z.string().nullable().optional(),
  timezone: z.string().nullable().optional(),
  fields: z.record(z.string(), z.unknown()),
});

/** sb.dispatch.<channel>.v1 — router → the sender of that channel. */
export const DispatchSchema = z.object({
  dispatchId: IdSchema,
  sendId: IdSchema,
  messageId: z.number().int().positive(),
  channel: ChannelSchema,
  contentId: z.number().int().positive(),
  contact: DispatchContactSchema,
  tokens: SendTokensSchema.optional(),
  ...CampaignRefs,
});
export type Dispatch = z.infer<typeof DispatchSchema>;

export const SKIP_REASONS = [
  'dnc',
  'no_address',
  'paused',
  'quiet_hours',
  'frequency',
  'content_unavailable',
  'unavailable',
  'excluded',
] as const;
export const SkipReasonSchema = z.enum(SKIP_REASONS);
export type SkipReason = z.infer<typeof SkipReasonSchema>;

export const SkippedSchema = z.object({
  channel: ChannelSchema,
  reason: SkipReasonSchema,
  detail: z.string().optional(),
});
export type Skipped = z.infer<typeof SkippedSchema>;

export const FAILURE_REASONS = [
  'unpublished',
  'not_found',
  'no_channel',
  'expired',
  'max_deferrals',
  'canceled',
] as const;

/** sb.routing.<routed|deferred|failed>.v1 — router → tracker. */
export const RoutingOutcomeSchema = z.object({
  sendId: IdSchema,
  messageId: z.number().int().positive(),
  contactId: ContactIdSchema,
  outcome: z.enum(ROUTING_OUTCOMES),
  channel: ChannelSchema.optional(),
  dispatchId: IdSchema.optional(),
  candidates: z.array(ChannelSchema).optional(),
  skipped: z.array(SkippedSchema),
  retryAt: IsoDateTimeSchema.optional(),
  reason: z.enum(FAILURE_REASONS).optional(),
  deferrals: z.number().int().min(0).optional(),
  occurredAt: IsoDateTimeSchema,
  /** Re-route attempt this outcome decides (0 = first routing). */
  attempt: z.number().int().min(0).optional(),
  /** On `deferred`: the send request to emit again at `retryAt` (the scheduler needs it whole). */
  request: SendRequestedSchema.optional(),
  ...CampaignRefs,
});
export type RoutingOutcome = z.infer<typeof RoutingOutcomeSchema>;

export const DeliveryErrorSchema = z.object({ code: z.string(), message: z.string(), permanent: z.boolean() });

/** sb.delivery.<channel>.<event>.v1 — senders and tracking → tracker, router. */
export const DeliveryEventSchema = z
  .object({
    eventId: IdSchema.optional(),
    dispatchId: IdSchema,
    sendId: IdSchema,
    messageId: z.number().int().positive(),
    contactId: ContactIdSchema,
    channel: ChannelSchema,
    event: z.enum(DELIVERY_EVENTS),
    occurredAt: IsoDateTimeSchema,
    error: DeliveryErrorSchema.optional(),
    url: z.string().optional(),
    provider: z.string().optional(),
    providerMessageId: z.string().optional(),
    /** SMS segments, attempts, etc. */
    meta: z.record(z.string(), z.unknown()).optional(),
    /** On `sent` and `failed` from a sender: the content variant the contact was sent (absent: the base content). */
    variant: z.string().max(64).optional(),
    /** On an email's `sent` and `failed`: per dynamic-content token, `default` or the position of the alternative sent. */
    dynamicContent: z.record(z.string(), z.string()).optional(),
    ...CampaignRefs,
  })
  .superRefine((e, ctx) => {
    if (e.event === 'failed' && !e.error)
      ctx.addIssue({ code: 'custom', path: ['error'], message: 'A failed event carries error.' });
    if (e.event === 'clicked' && !e.url)
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'A clicked event carries url.' });
  });
export type DeliveryEvent = z.infer<typeof DeliveryEventSchema>;

/**
 * A bounce that only says one push target of the contact is dead (`meta.removedAddress`: a web-push
 * endpoint, a device token): preferences removes that target, and neither do-not-contact nor a
 * re-route follows from it — the contact's other targets may have taken the message (when none
 * did, the sender's own permanent `failed` re-routes the send).
 */
export function isTargetRemoval(e: Pick<DeliveryEvent, 'event' | 'meta'>): boolean {
  return e.event === 'bounced' && typeof e.meta?.removedAddress === 'string';
}

/** sb.contact.erased.v1 — preferences → every service holding personal data. */
export const ContactErasedSchema = z.object({ contactId: ContactIdSchema, erasedAt: IsoDateTimeSchema });
export type ContactErased = z.infer<typeof ContactErasedSchema>;

/** sb.catalog.message.changed.v1 — catalog → router, senders (cache invalidation). */
export const CatalogChangedSchema = z.object({
  kind: z.enum(['message', 'email', 'sms', 'notification', 'tweet', 'inapp', 'template', 'category']),
  id: z.number().int().positive(),
  version: z.number().int().min(0),
});
export type CatalogChanged = z.infer<typeof CatalogChangedSchema>;

/** sb.channel.heartbeat.v1 — senders → all, every 5 s; stale after 15 s. */
export const ChannelHeartbeatSchema = z.object({
  channel: ChannelSchema,
  instanceId: z.string(),
  provider: z.string(),
  status: z.enum(['up', 'degraded', 'down']),
  sentAt: IsoDateTimeSchema.optional(),
});
export type ChannelHeartbeat = z.infer<typeof ChannelHeartbeatSchema>;
export const HEARTBEAT_INTERVAL_MS = 5_000;
export const HEARTBEAT_STALE_MS = 15_000;

/**
 * sb.registry.channel.<channel>.v1 — senders → all (DESIGN §2): the durable record that a sender
 * for a channel is deployed. The stream keeps the last announcement per channel, so whoever starts
 * later (a restarted router) still knows which channels are deployed while their senders are down.
 */
export const ChannelAnnouncementSchema = z.object({
  channel: ChannelSchema,
  state: z.enum(['deployed', 'removed']),
  instanceId: z.string(),
  provider: z.string(),
  announcedAt: IsoDateTimeSchema,
});
export type ChannelAnnouncement = z.infer<typeof ChannelAnnouncementSchema>;
/** A channel stays available this long after its last announcement (CHANNEL_GONE_AFTER). */
export const CHANNEL_GONE_AFTER_MS = 24 * 3_600_000;
/** Senders announce themselves at boot and then this often, far inside CHANNEL_GONE_AFTER. */
export const CHANNEL_ANNOUNCE_INTERVAL_MS = 60_000;

const FeedbackReportFields = z.object({
  event: z.enum(['delivered', 'bounced', 'complained', 'failed']),
  dispatchId: z.string().min(1).max(256).optional(),
  providerMessageId: z.string().min(1).max(998).optional(),
  /** bounced: hard (the address will never work) or soft (try later; SOFT_BOUNCE_LIMIT in a row count as hard). */
  bounce: z.enum(['hard', 'soft']).optional(),
  /** The provider's status or error code (`5.1.1`, Twilio `30005`, SMPP `UNDELIV`). */
  code: z.string().max(200).optional(),
  /** The provider's diagnostic text; it becomes the do-not-contact entry's comments. */
  diagnostic: z.string().max(2_000).optional(),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  /** Tells two reports of one kind about one dispatch apart (a report's own id); default the kind. */
  reportId: z.string().max(256).optional(),
  /** Which feedback path said it: dsn, arf, ses, sendgrid, twilio, smpp, webpush, fcm. */
  source: z.string().max(40),
  /**
   * A push subscription's endpoint or a device token the provider called dead (web push 404/410,
   * FCM UNREGISTERED): the contact loses that target, not the channel (event `meta.removedAddress`).
   */
  removedAddress: z.string().min(1).max(4_096).optional(),
});
const namesItsDispatch = (r: { dispatchId?: string; providerMessageId?: string }) =>
  r.dispatchId !== undefined || r.providerMessageId !== undefined;
const NAMES_ITS_DISPATCH = { message: 'A report names its dispatch or the provider message id.' };

/**
 * One piece of provider feedback about a message already handed to the provider (DESIGN §6): a
 * delivery receipt, a bounce, a complaint, a late failure. It names its dispatch by id (a VERP
 * return path) or by the provider's message id (Twilio SID, SMTP Message-ID, SMPP message id).
 */
export const FeedbackReportSchema = FeedbackReportFields.refine(namesItsDispatch, NAMES_ITS_DISPATCH);
export type FeedbackReport = z.infer<typeof FeedbackReportSchema>;

/**
 * sb.feedback.<channel>.reported.v1 — gateway (verified provider webhooks), senders (SMPP receipts,
 * DSN/ARF mail) → the channel's sender, which matches it to a dispatch and publishes the delivery
 * event. A report about a provider message id not recorded yet (the callback outran the sender's
 * record of the provider's answer) is retried with a delay, then dead-lettered with its reason.
 */
export const FeedbackReportedSchema = FeedbackReportFields.extend({
  channel: ChannelSchema,
  /** When Switchboard received it: the wait for an unknown dispatch is counted from here. */
  receivedAt: IsoDateTimeSchema,
}).refine(namesItsDispatch, NAMES_ITS_DISPATCH);
export type FeedbackReported = z.infer<typeof FeedbackReportedSchema>;

/** The Nats-Msg-Id of a report: a provider that says the same thing twice (its retries) is stored once. */
export function feedbackReportedMsgId(r: FeedbackReported): string {
  const key = [
    r.channel,
    r.source,
    r.dispatchId ?? '',
    r.providerMessageId ?? '',
    r.event,
    r.bounce ?? '',
    r.reportId ?? r.code ?? '',
    // Only when present: the ids of every other report stay what they were.
    ...(r.removedAddress ? [r.removedAddress] : []),
  ];
  return `feedback:${createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32)}`;
}

/** sb.dlq.<service>.v1 — any consumer → operators. */
export const DeadLetterSchema = z.object({
  subject: z.string(),
  stream: z.string().optional(),
  streamSequence: z.number().optional(),
  headers: z.record(z.string(), z.string()),
  payload: z.string(),
  error: z.string(),
  deliveryCount: z.number().int(),
  service: z.string(),
  failedAt: IsoDateTimeSchema,
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;
