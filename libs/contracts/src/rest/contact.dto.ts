import { z } from 'zod';
import { ContactSchema, type DncReasonSchema } from '../contact';
import { IntInput } from './input.dto';

/** `POST /api/contacts/batch/upsert` takes at most this many contacts. */
export const CONTACT_BATCH_LIMIT = 1000;

/** `GET /api/contacts?search=&start=&limit=&orderBy=&orderByDir=` (limit 30 by default, 0 = all). */
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
});
export type ContactListQuery = z.infer<typeof ContactListQuerySchema>;

export const ContactReplySchema = z.object({ contact: ContactSchema });
/** DELETE answers the erased contact as it was, with `id` null (as Mautic does). */
export const ContactDeletedReplySchema = z.object({ contact: ContactSchema.extend({ id: z.null() }) });
export const ContactListReplySchema = z.object({ total: z.number().int(), contacts: z.array(ContactSchema) });
export const ContactBatchReplySchema = z.object({
  contacts: z.array(ContactSchema),
  statusCodes: z.array(z.number().int()),
  errors: z.record(z.string(), z.unknown()).optional(),
});

/** Mautic's DNC body: `reason` (default 3, manual), `comments`, `channelId` (the content item that caused it). */
export const DncAddBodySchema = z.object({
  reason: z.unknown().optional(),
  comments: z.string().max(2000).nullable().optional(),
  channelId: z
    .union([z.number().int(), z.string().max(64)])
    .nullable()
    .optional(),
});
export const DncRemoveReplySchema = z.object({ recordFound: z.boolean(), contact: ContactSchema });

export const INVALID_DNC_REASON = 'Invalid reason code given';

/** A DNC reason as Mautic clients send it (2 or "2"); undefined when it is not 1–4. */
export function parseDncReason(value: unknown): z.infer<typeof DncReasonSchema> | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return n === 1 || n === 2 || n === 3 || n === 4 ? n : undefined;
}
