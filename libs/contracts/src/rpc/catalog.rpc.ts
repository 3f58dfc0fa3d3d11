import { z } from 'zod';
import { ChannelSchema } from '../channels';
import { rpcContract } from '../rpc';
import { BATCH_LIMIT, ListQuerySchema } from '../rest/list.dto';
import { SegmentFilterSchema } from '../rest/segment.dto';

/** Content types and the channels they serve. `notification` rows with `mobile: true` serve mobile_notification. */
export const CONTENT_TYPES = ['email', 'sms', 'notification', 'tweet', 'inapp'] as const;
export const ContentTypeSchema = z.enum(CONTENT_TYPES);
export type ContentType = z.infer<typeof ContentTypeSchema>;

export const CHANNEL_CONTENT_TYPE = {
  email: 'email',
  sms: 'sms',
  notification: 'notification',
  mobile_notification: 'notification',
  tweet: 'tweet',
  inapp: 'inapp',
} as const satisfies Record<z.infer<typeof ChannelSchema>, ContentType>;

/** What the router needs of a message to route it (DESIGN §4 steps 1–3). */
export const RoutableMessageSchema = z.object({
  id: z.number().int(),
  isPublished: z.boolean(),
  publishUp: z.string().nullable(),
  publishDown: z.string().nullable(),
  /** In the message's own channel order. */
  channels: z.array(
    z.object({
      channel: ChannelSchema,
      channelId: z.number().int().nullable(),
      isEnabled: z.boolean(),
      /** The content item exists and is published. */
      contentAvailable: z.boolean(),
    }),
  ),
  version: z.number().int(),
});
export type RoutableMessage = z.infer<typeof RoutableMessageSchema>;

/** sb.rpc.catalog.messages.routable — a batch of message ids → the routable views that exist. */
export const catalogMessagesRoutable = rpcContract(
  'catalog',
  'messages.routable',
  z.object({ ids: z.array(z.number().int().positive()).min(1).max(1000) }),
  z.object({ messages: z.array(RoutableMessageSchema) }),
);

/** A variant as senders choose it: its checked filters and the fields it overrides. */
export const ContentVariantSchema = z.object({
  name: z.string(),
  filters: z.array(SegmentFilterSchema),
  fields: z.record(z.string(), z.unknown()),
});
export type ContentVariant = z.infer<typeof ContentVariantSchema>;

/** One `{dynamiccontent="tokenName"}` of an email: the default content and the filtered alternatives, in order. */
export const DynamicContentTokenSchema = z.object({
  tokenName: z.string(),
  content: z.string(),
  choices: z.array(z.object({ content: z.string(), filters: z.array(SegmentFilterSchema) })),
});
export type DynamicContentToken = z.infer<typeof DynamicContentTokenSchema>;

/** A content item as senders render it. */
export const ContentItemSchema = z.object({
  type: ContentTypeSchema,
  id: z.number().int(),
  name: z.string(),
  isPublished: z.boolean(),
  version: z.number().int(),
  /** The type's fields (email: subject, customHtml, plainText, fromAddress...; sms: message, senderId; ...). */
  fields: z.record(z.string(), z.unknown()),
  /** An email's template (its `templateId`): the layout its body goes into, at the `{{ content }}` slot. */
  layout: z.string().nullable().optional(),
  /** DESIGN §7.2: the first whose filters match the contact is sent instead of the base fields. */
  variants: z.array(ContentVariantSchema).optional(),
  /** An email's Mautic dynamic content, its filters checked. */
  dynamicContent: z.array(DynamicContentTokenSchema).optional(),
});
export type ContentItem = z.infer<typeof ContentItemSchema>;

/** sb.rpc.catalog.content.get — one content item by type and id (NOT_FOUND when missing). */
export const catalogContentGet = rpcContract(
  'catalog',
  'content.get',
  z.object({ type: ContentTypeSchema, id: z.number().int().positive() }),
  ContentItemSchema,
);

/**
 * sb.rpc.catalog.emails.message — an email with the marketing message that sends it alone (made
 * on first use), for Mautic's email send endpoints (NOT_FOUND when the email is missing).
 */
export const catalogEmailMessage = rpcContract(
  'catalog',
  'emails.message',
  z.object({ emailId: z.number().int().positive() }),
  z.object({ messageId: z.number().int().positive(), email: ContentItemSchema }),
);

/** What catalog stores and serves through the generic item operations below. */
export const CATALOG_KINDS = [
  'message',
  'email',
  'sms',
  'notification',
  'tweet',
  'inapp',
  'category',
  'template',
  'incentive',
] as const;
export const CatalogKindSchema = z.enum(CATALOG_KINDS);
export type CatalogKind = z.infer<typeof CatalogKindSchema>;

/** Who makes a change (the audit fields `createdBy`/`createdByUser`...). */
export const ActorSchema = z.object({ id: z.number().int().nullable(), name: z.string().nullable() });
export type Actor = z.infer<typeof ActorSchema>;

/** An item in its REST shape and key order (record, so that key order survives validation). */
const ItemSchema = z.record(z.string(), z.unknown());
const ItemErrorSchema = z.object({
  code: z.number().int(),
  message: z.string(),
  details: z.record(z.string(), z.array(z.string())),
});
export type ItemError = z.infer<typeof ItemErrorSchema>;

/** sb.rpc.catalog.items.get — one item by kind and id (NOT_FOUND when missing). */
export const catalogItemGet = rpcContract(
  'catalog',
  'items.get',
  z.object({ kind: CatalogKindSchema, id: z.number().int().positive() }),
  z.object({ item: ItemSchema }),
);

/**
 * sb.rpc.catalog.items.list — Mautic's list parameters. A reply stays under NATS's payload limit:
 * when more items matched than fit, `next` is the `start` of the rest (ask again from there).
 */
export const catalogItemList = rpcContract(
  'catalog',
  'items.list',
  z.object({ kind: CatalogKindSchema, query: ListQuerySchema }),
  z.object({ total: z.number().int(), items: z.array(ItemSchema), next: z.number().int().optional() }),
);

/** sb.rpc.catalog.items.save — create, PUT (replace; creates when missing) or PATCH (merge; NOT_FOUND when missing). */
export const catalogItemSave = rpcContract(
  'catalog',
  'items.save',
  z.object({
    kind: CatalogKindSchema,
    mode: z.enum(['create', 'put', 'patch']),
    id: z.number().int().positive().optional(),
    input: z.record(z.string(), z.unknown()),
    actor: ActorSchema,
  }),
  z.object({ item: ItemSchema, created: z.boolean() }),
);

/** sb.rpc.catalog.items.delete — the deleted item with `id` null. */
export const catalogItemDelete = rpcContract(
  'catalog',
  'items.delete',
  z.object({ kind: CatalogKindSchema, id: z.number().int().positive() }),
  z.object({ item: ItemSchema }),
);

/** sb.rpc.catalog.items.batch — up to 200 creates/edits (inputs; edits carry `id`) or deletes (ids); one result per item. */
export const catalogItemBatch = rpcContract(
  'catalog',
  'items.batch',
  z.object({
    kind: CatalogKindSchema,
    op: z.enum(['create', 'put', 'patch', 'delete']),
    items: z.array(z.unknown()).max(BATCH_LIMIT),
    actor: ActorSchema,
  }),
  z.object({
    results: z.array(
      z.object({ status: z.number().int(), item: ItemSchema.optional(), error: ItemErrorSchema.optional() }),
    ),
  }),
);
