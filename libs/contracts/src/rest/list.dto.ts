import { z } from 'zod';
import { INT_MAX } from './common.dto';
import { BoolInput, IntInput } from './input.dto';
import { WhereClauseSchema } from './where.dto';

export { WhereClauseSchema, type WhereClause } from './where.dto';

export const WHERE_EXPRESSIONS = [
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'like',
  'notLike',
  'in',
  'notIn',
  'isNull',
  'isNotNull',
  'isEmpty',
  'isNotEmpty',
  'between',
  'notBetween',
  'andX',
  'orX',
] as const;

/** `where[i][col|expr|val]` as qs parses it: an array, or an object keyed by index past 20 items. */
export const WhereListSchema = z
  .union([z.array(WhereClauseSchema), z.record(z.string(), WhereClauseSchema)])
  .transform((v) => (Array.isArray(v) ? v : Object.values(v)));

/** Mautic's list parameters (`GET /api/messages?search=&start=&limit=&orderBy=&orderByDir=&published=&minimal=&where[]`). */
export const ListQuerySchema = z.object({
  search: z.string().max(1000).optional(),
  start: IntInput.optional(),
  /** 30 by default; 0 = all. */
  limit: IntInput.optional(),
  orderBy: z.string().max(64).optional(),
  orderByDir: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['asc', 'desc'], { error: 'orderByDir is asc or desc.' }))
    .optional(),
  published: BoolInput.optional(),
  publishedOnly: BoolInput.optional(),
  minimal: BoolInput.optional(),
  where: WhereListSchema.optional(),
});
export type ListQuery = z.infer<typeof ListQuerySchema>;

/**
 * How the lists DESIGN leaves to Mautic lay out `{"total": n, "<key>": items}` (Mautic's
 * FetchCommonApiController::getEntitiesAction and EntityResultHelper::getArray keep the
 * repository's keys). Messages, channel content, campaigns and templates are JSON arrays, as
 * DESIGN §7.1–§7.2 fix them ("same shapes as 7.1"); Mautic's PHP client iterates either.
 * - `byId`: an object keyed by id, in the order asked; INDEX BY id through Doctrine's Paginator,
 *   so an empty page is PHP's empty array, `[]` (segments, a contact's segments).
 * - `contacts`: keyed by id, an empty page `{}` (EntityResultHelper's ArrayObject for results that
 *   are not a Paginator), and `total` a string, as its DBAL count comes back
 *   (LeadApiControllerFunctionalTest: `{"total":"0","contacts":{}}`).
 */
export type MauticListShape = 'byId' | 'contacts';

/** The reply of a Mautic list endpoint keyed by id, for the API docs. */
export function mauticListReplySchema(key: string, item: z.ZodType, shape: MauticListShape) {
  const total = shape === 'contacts' ? z.string().regex(/^\d+$/) : z.number().int();
  const items = z.union([z.record(z.string(), item), z.array(z.never()).max(0)]);
  return z.object({ total, [key]: items });
}

/** `DELETE .../batch/delete?ids=1,2` or `?ids[]=1&ids[]=2`. */
export const BatchIdsQuerySchema = z.object({
  ids: z
    .union([z.string(), z.array(z.string())], { error: 'ids is required.' })
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^\d{1,10}$/, 'ids are integers.')
            .transform(Number)
            .refine((id) => id <= INT_MAX, `ids are integers up to ${INT_MAX}.`),
        )
        .min(1, 'ids is required.'),
    ),
});

/** Batch endpoints take at most this many items (Mautic's limit). */
export const BATCH_LIMIT = 200;
