import { z } from 'zod';
import { ChannelSchema } from '../channels';
import { rpcContract } from '../rpc';

/** Content types and the channels they serve. `notification` rows with `mobile: true` serve mobile_notification. */
export const CONTENT_TYPES = ['email', 'sms', 'notification', 'tweet'] as const;
export const ContentTypeSchema = z.enum(CONTENT_TYPES);
export type ContentType = z.infer<typeof ContentTypeSchema>;

export const CHANNEL_CONTENT_TYPE = {
  email: 'email',
  sms: 'sms',
  notification: 'notification',
  mobile_notification: 'notification',
  tweet: 'tweet',
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

/** A content item as senders render it. */
export const ContentItemSchema = z.object({
  type: ContentTypeSchema,
  id: z.number().int(),
  name: z.string(),
  isPublished: z.boolean(),
  version: z.number().int(),
  /** The type's fields (email: subject, customHtml, plainText, fromAddress...; sms: message, senderId; ...). */
  fields: z.record(z.string(), z.unknown()),
});
export type ContentItem = z.infer<typeof ContentItemSchema>;

/** sb.rpc.catalog.content.get — one content item by type and id (NOT_FOUND when missing). */
export const catalogContentGet = rpcContract(
  'catalog',
  'content.get',
  z.object({ type: ContentTypeSchema, id: z.number().int().positive() }),
  ContentItemSchema,
);
