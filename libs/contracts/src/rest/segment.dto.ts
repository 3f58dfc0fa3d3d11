import { z } from 'zod';
import { BoolInput, DescriptionInput, NameInput } from './input.dto';

const lower = z.string().transform((v) => v.trim().toLowerCase());

/**
 * One filter of a segment in Mautic's format. `filter` and `properties.filter` are the same value
 * (Mautic 2 sends the first, Mautic 3+ the second); `field`, `type` and `operator` are checked
 * against what the segment engine knows when the segment is saved.
 */
export const SegmentFilterInputSchema = z.object({
  glue: lower.pipe(z.enum(['and', 'or'], { error: 'glue is and or or.' })).default('and'),
  field: z.string({ error: 'A field is required.' }).min(1, 'A field is required.').max(100),
  object: z.string().max(32).default('lead'),
  type: z.string().max(32).default('text'),
  operator: z.string({ error: 'An operator is required.' }).min(1).max(16),
  filter: z.unknown().optional(),
  properties: z.object({ filter: z.unknown().optional() }).catchall(z.unknown()).nullable().optional(),
  display: z.string().max(500).nullable().optional(),
});
export type SegmentFilterInput = z.infer<typeof SegmentFilterInputSchema>;

/** A filter as stored and answered: both spellings of the value, as Mautic answers it. */
export const SegmentFilterSchema = z.object({
  glue: z.enum(['and', 'or']),
  field: z.string(),
  object: z.string(),
  type: z.string(),
  operator: z.string(),
  properties: z.object({ filter: z.unknown() }),
  filter: z.unknown(),
  display: z.string().nullable(),
});
export type SegmentFilter = z.infer<typeof SegmentFilterSchema>;

export const SegmentFiltersInputSchema = z
  .array(SegmentFilterInputSchema, { error: 'filters is a list.' })
  .max(100, 'At most 100 filters.');

const ALIAS = /^[a-z0-9_-]{1,191}$/;

const SegmentFields = {
  name: NameInput,
  publicName: z.string().max(191).nullable().optional(),
  alias: z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .pipe(z.string().regex(ALIAS, 'An alias is made of a-z, 0-9, _ and -.'))
    .nullable()
    .optional(),
  description: DescriptionInput.optional(),
  category: z
    .union([z.string().max(191), z.number().int()])
    .nullable()
    .optional(),
  isPublished: BoolInput.optional(),
  isGlobal: BoolInput.optional(),
  isPreferenceCenter: BoolInput.optional(),
  filters: SegmentFiltersInputSchema.optional(),
};

/** POST /new and PUT: name required; the rest defaults (alias made from the name). */
export const SegmentCreateSchema = z.object(SegmentFields);
/** PATCH: every field optional; omitted fields stay. */
export const SegmentPatchSchema = z.object({ ...SegmentFields, name: NameInput.optional() });
export type SegmentCreate = z.infer<typeof SegmentCreateSchema>;
export type SegmentPatch = z.infer<typeof SegmentPatchSchema>;

/** Mautic's list entity (`{"list": L}`). */
export const SegmentViewSchema = z.object({
  isPublished: z.boolean(),
  dateAdded: z.string(),
  dateModified: z.string().nullable(),
  createdBy: z.number().int().nullable(),
  createdByUser: z.string().nullable(),
  modifiedBy: z.number().int().nullable(),
  modifiedByUser: z.string().nullable(),
  id: z.number().int().nullable(),
  name: z.string(),
  publicName: z.string().nullable(),
  alias: z.string(),
  description: z.string().nullable(),
  category: z.string().nullable(),
  filters: z.array(SegmentFilterSchema),
  isGlobal: z.boolean(),
  isPreferenceCenter: z.boolean(),
});
export type SegmentView = z.infer<typeof SegmentViewSchema>;

/** `POST /api/segments/{id}/contacts/add` — Mautic's `{"ids": [...]}`. */
export const SegmentContactsAddSchema = z.object({
  ids: z
    .array(z.union([z.string(), z.number().int()]), { error: 'ids is a list of contact ids.' })
    .min(1, 'ids is required.')
    .max(1000, 'At most 1000 ids at a time.')
    .transform((ids) => ids.map(String)),
});

/** `GET /api/imports/{id}` — a CSV import into a segment; `progress` is the share of the file read (0–1). */
export const ImportViewSchema = z.object({
  id: z.number().int(),
  segmentId: z.number().int().nullable(),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  rows: z.number().int(),
  processed: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  failed: z.number().int(),
  progress: z.number().min(0).max(1),
  bytes: z.number().int(),
  error: z.string().nullable(),
  errors: z.array(z.object({ row: z.number().int(), message: z.string() })),
  dateAdded: z.string(),
  dateModified: z.string().nullable(),
});
export type ImportView = z.infer<typeof ImportViewSchema>;
