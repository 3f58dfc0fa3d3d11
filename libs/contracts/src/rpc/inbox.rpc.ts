import { z } from 'zod';
import { ContactIdSchema, IsoDateTimeSchema } from '../primitives';
import { rpcContract } from '../rpc';

/** One message of a contact's in-app inbox as the end-user API shows it (DESIGN §7.7). */
export const InboxMessageSchema = z.object({
  id: z.number().int().positive(),
  title: z.string(),
  /** Sanitised HTML (a small allow-list of tags; links tracked). */
  body: z.string().nullable(),
  /** The tracked link (`/t/c/...`): following it is the message's `clicked`. */
  url: z.string().nullable(),
  icon: z.string().nullable(),
  readAt: IsoDateTimeSchema.nullable(),
  createdAt: IsoDateTimeSchema,
});
export type InboxMessage = z.infer<typeof InboxMessageSchema>;

/** `GET /inbox/messages` query: `start`/`limit` paging, `sort=date` (newest first) or `unread` (unread first), `unread=1` (only unread). */
export const InboxListQuerySchema = z.object({
  start: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  sort: z.enum(['date', 'unread']).default('date'),
  unread: z
    .union([z.boolean(), z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true')])
    .default(false),
});
export type InboxListQuery = z.infer<typeof InboxListQuerySchema>;

const Owner = { contactId: ContactIdSchema };
const MessageRef = { ...Owner, id: z.number().int().positive() };

/** sb.rpc.sender-inapp.inbox.list — a page of the contact's messages, not archived nor expired. */
export const inboxList = rpcContract(
  'sender-inapp',
  'inbox.list',
  z.object({ ...Owner, query: InboxListQuerySchema }),
  z.object({ total: z.number().int(), messages: z.array(InboxMessageSchema) }),
);

/** sb.rpc.sender-inapp.inbox.unread-count */
export const inboxUnreadCount = rpcContract(
  'sender-inapp',
  'inbox.unread-count',
  z.object(Owner),
  z.object({ unread: z.number().int() }),
);

/** sb.rpc.sender-inapp.inbox.read — marks one message read (its `opened`); NOT_FOUND when it is not the contact's. */
export const inboxRead = rpcContract(
  'sender-inapp',
  'inbox.read',
  z.object(MessageRef),
  z.object({ message: InboxMessageSchema, unread: z.number().int() }),
);

/** sb.rpc.sender-inapp.inbox.read-all — marks every unread message read. */
export const inboxReadAll = rpcContract(
  'sender-inapp',
  'inbox.read-all',
  z.object(Owner),
  z.object({ read: z.number().int(), unread: z.number().int() }),
);

/** sb.rpc.sender-inapp.inbox.archive — hides one message from the inbox; NOT_FOUND when it is not the contact's. */
export const inboxArchive = rpcContract(
  'sender-inapp',
  'inbox.archive',
  z.object(MessageRef),
  z.object({ archived: z.literal(true), unread: z.number().int() }),
);

/**
 * sb.inbox.changed.v1 (core NATS, no stream) — sender-inapp → gateways: a contact's inbox changed
 * (a new message, or reads and archives). Only a nudge for live streams: a gateway that misses one
 * loses nothing, the stream's next count or the client's next page shows the state.
 */
export const InboxChangedSchema = z.object({
  contactId: ContactIdSchema,
  /** Present when a message arrived. */
  message: InboxMessageSchema.optional(),
  /** Present when the sender knows it without another query (reads, archives). */
  unread: z.number().int().optional(),
});
export type InboxChanged = z.infer<typeof InboxChangedSchema>;
