import { z } from 'zod';
import { ContactInputSchema, ContactSchema, type DncReasonSchema } from '../contact';
import { IntInput } from './input.dto';
import { mauticListReplySchema, WhereListSchema } from './list.dto';

/** `POST /api/contacts/batch/upsert` takes at most this many contacts. */
export const CONTACT_BATCH_LIMIT = 1000;

/** `GET /api/contacts?search=&start=&limit=&orderBy=&orderByDir=&where[]` (limit 30 by default, 0 = all). */
export const ContactListQuerySchema = z.object({
  search: z.string().max(70_000).optional(),
  start: IntInput.optional(),
  limit: IntInput.pipe(z.number().max(10_000, 'At most 10000 contacts per page.')).optional(),
  orderBy: z.enum(['id', 'email', 'firstname', 'lastname', 'dateAdded', 'dateModified']).optional(),
  orderByDir: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['asc', 'desc'], { error: 'orderByDir is asc or desc.' }))
    .optional(),
  /** Mautic's `where[i][col|expr|val]` over the contact's columns and custom fields. */
  where: WhereListSchema.refine((w) => w.length <= 50, 'At most 50 where clauses.').optional(),
});
export type ContactListQuery = z.infer<typeof ContactListQuerySchema>;

/** Mautic's batch endpoints (`batch/new`, `batch/edit`, `batch/delete`) take at most this many contacts. */
export const CONTACT_MAUTIC_BATCH_LIMIT = 200;

/** Mautic's keys Switchboard takes and does not keep: it has no owners, points, stages, tags or IP tracking. */
const MAUTIC_IGNORED_KEYS = new Set([
  'ipAddress',
  'lastActive',
  'overwriteWithBlank',
  'owner',
  'points',
  'stage',
  'tags',
  'utmtags',
]);
/** Mautic's aliases of Switchboard's contact fields. */
const MAUTIC_ALIASES: Record<string, string> = { preferred_locale: 'locale', twitter: 'twitterHandle' };
const CONTACT_KEYS = new Set(Object.keys(ContactInputSchema.shape));

/**
 * A contact body as Mautic clients send it: custom fields flat beside the core ones
 * (`{"email": ..., "city": "Prague"}`), or under `fields`; flat ones win.
 */
export function fromMauticContactBody(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const input: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const name = MAUTIC_ALIASES[key] ?? key;
    if (CONTACT_KEYS.has(name)) input[name] = value;
    else if (!MAUTIC_IGNORED_KEYS.has(key)) custom[key] = value;
  }
  if (Object.keys(custom).length === 0) return input;
  const given = input.fields;
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) return input;
  return { ...input, fields: { ...(given as Record<string, unknown> | undefined), ...custom } };
}

/** The REST body of a contact's create or edit. */
export const ContactBodySchema = z.preprocess(fromMauticContactBody, ContactInputSchema);

/** One field of a contact in Mautic's `fields.core`. */
export const MauticFieldValueSchema = z.object({
  alias: z.string(),
  label: z.string(),
  type: z.string(),
  group: z.string(),
  value: z.unknown(),
});

/**
 * A contact as the REST API answers it: Switchboard's contact with `fields` in Mautic's shape
 * (`all`: every field, core and custom, flat; `core`: Mautic's field objects) and Mautic's keys
 * for what Switchboard does not keep (`points: 0`, `stage: null`, `owner: null`, `tags: []`).
 */
export const MauticContactSchema = ContactSchema.extend({
  fields: z.object({
    all: z.record(z.string(), z.unknown()),
    core: z.record(z.string(), MauticFieldValueSchema),
  }),
  points: z.number().int(),
  stage: z.null(),
  owner: z.null(),
  tags: z.array(z.string()),
});
export type MauticContact = z.infer<typeof MauticContactSchema>;

export const ContactReplySchema = z.object({ contact: MauticContactSchema });
/** DELETE answers the erased contact as it was, with `id` null (as Mautic does). */
export const ContactDeletedReplySchema = z.object({ contact: MauticContactSchema.extend({ id: z.null() }) });
/** A page of contacts as an array (`GET /api/segments/{id}/contacts`). */
export const ContactListReplySchema = z.object({ total: z.number().int(), contacts: z.array(MauticContactSchema) });
/** `GET /api/contacts`, as Mautic answers it: keyed by id, `total` a string. */
export const MauticContactListReplySchema = mauticListReplySchema('contacts', MauticContactSchema, 'contacts');
export const ContactBatchReplySchema = z.object({
  contacts: z.array(MauticContactSchema),
  statusCodes: z.array(z.number().int()),
  errors: z.record(z.string(), z.unknown()).optional(),
});

/** `DELETE /api/contacts/batch/delete?ids=a,b` or `?ids[]=a`. */
export const ContactBatchIdsQuerySchema = z.object({
  ids: z
    .union([z.string(), z.array(z.string())], { error: 'ids is required.' })
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(
      z
        .array(z.string())
        .min(1, 'ids is required.')
        .max(CONTACT_MAUTIC_BATCH_LIMIT, `A max of ${CONTACT_MAUTIC_BATCH_LIMIT} entities are supported at a time.`),
    ),
});

/** `GET /api/contacts/list/fields`: Mautic's field list, keyed by field id. */
export const ContactFieldListReplySchema = z.record(
  z.string(),
  z.object({
    id: z.number().int(),
    label: z.string(),
    alias: z.string(),
    type: z.string(),
    group: z.string(),
    order: z.number().int(),
    object: z.literal('lead'),
    defaultValue: z.null(),
    isRequired: z.boolean(),
    isPubliclyUpdatable: z.boolean(),
    isUniqueIdentifier: z.boolean(),
    properties: z.array(z.unknown()),
  }),
);

/** Mautic's DNC body: `reason` (default 3, manual), `comments`, `channelId` (the content item that caused it). */
export const DncAddBodySchema = z.object({
  reason: z.unknown().optional(),
  comments: z.string().max(2000).nullable().optional(),
  channelId: z
    .union([z.number().int(), z.string().max(64)])
    .nullable()
    .optional(),
});
export const DncRemoveReplySchema = z.object({ recordFound: z.boolean(), contact: MauticContactSchema });

/** A DNC reason as Mautic clients send it (2 or "2"); undefined when it is not 1–4. */
export function parseDncReason(value: unknown): z.infer<typeof DncReasonSchema> | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return n === 1 || n === 2 || n === 3 || n === 4 ? n : undefined;
}
