import { z } from 'zod';
import { CHANNELS, ChannelSchema, type Channel } from '../channels';
import { BoolInput, DateInput, DescriptionInput, IntInput, NameInput } from './input.dto';

const ChannelFields = {
  channelId: IntInput.nullable().optional(),
  isEnabled: BoolInput.optional(),
};

export interface ChannelInput {
  channel: Channel;
  channelId?: number | null;
  isEnabled?: boolean;
}

const ChannelListSchema = z.array(z.object({ channel: ChannelSchema, ...ChannelFields }));

/**
 * Input `channels`: an object keyed by channel (`{"email": {"channelId": 12, "isEnabled": true}}`)
 * or a list of `{channel, channelId, isEnabled}`, normalised to the list in the order given.
 */
export const ChannelsInputSchema = z
  .union([z.array(z.unknown()), z.record(z.string(), z.unknown())], {
    error: 'channels is an object keyed by channel, or a list.',
  })
  .transform((value, ctx): ChannelInput[] => {
    if (Array.isArray(value)) {
      const parsed = ChannelListSchema.safeParse(value);
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
        return z.NEVER;
      }
      return parsed.data;
    }
    const out: ChannelInput[] = [];
    for (const [key, entry] of Object.entries(value)) {
      if (!(CHANNELS as readonly string[]).includes(key)) {
        ctx.addIssue({ code: 'custom', message: `Unknown channel. Known: ${CHANNELS.join(', ')}.`, path: [key] });
        continue;
      }
      const parsed = z.object(ChannelFields).safeParse(entry ?? {});
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          ctx.addIssue({ code: 'custom', message: issue.message, path: [key, ...issue.path] });
        continue;
      }
      out.push({ channel: key as Channel, ...parsed.data });
    }
    return out;
  })
  .superRefine((channels, ctx) => {
    const seen = new Set<string>();
    for (const c of channels) {
      if (seen.has(c.channel))
        ctx.addIssue({ code: 'custom', message: 'This channel is given twice.', path: [c.channel] });
      seen.add(c.channel);
    }
  });

/** A marketing message as clients send it; every field optional (PATCH). POST/PUT need `name`. */
export const MessageInputSchema = z.object({
  name: NameInput.optional(),
  description: DescriptionInput.optional(),
  isPublished: BoolInput.optional(),
  publishUp: DateInput.optional(),
  publishDown: DateInput.optional(),
  category: IntInput.nullable().optional(),
  channels: ChannelsInputSchema.optional(),
});
export type MessageInput = z.infer<typeof MessageInputSchema>;

/** POST /api/messages/new and PUT: `name` is required. */
export const MessageCreateSchema = MessageInputSchema.extend({ name: NameInput });

export const CategoryRefSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  alias: z.string().nullable(),
  description: z.string().nullable(),
  color: z.string().nullable(),
  bundle: z.string(),
});

export const MessageChannelSchema = z.object({
  id: z.number().int(),
  channel: ChannelSchema,
  channelId: z.number().int().nullable(),
  channelName: z.string().nullable(),
  isEnabled: z.boolean(),
});

/** The audit fields that lead every item (Mautic's FormEntity order). */
export const AuditFields = {
  isPublished: z.boolean(),
  dateAdded: z.string(),
  dateModified: z.string().nullable(),
  createdBy: z.number().int().nullable(),
  createdByUser: z.string().nullable(),
  modifiedBy: z.number().int().nullable(),
  modifiedByUser: z.string().nullable(),
};

/** M of DESIGN §7.1, in its key order. `id` is null only in a delete's response. */
export const MessageViewSchema = z.object({
  ...AuditFields,
  id: z.number().int().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  publishUp: z.string().nullable(),
  publishDown: z.string().nullable(),
  channels: z.array(MessageChannelSchema),
  category: CategoryRefSchema.nullable(),
});
export type MessageView = z.infer<typeof MessageViewSchema>;

/** `minimal=1`: only these keys. */
export const MINIMAL_KEYS = [
  'isPublished',
  'dateAdded',
  'dateModified',
  'createdBy',
  'createdByUser',
  'modifiedBy',
  'modifiedByUser',
  'id',
  'name',
  'description',
] as const;
