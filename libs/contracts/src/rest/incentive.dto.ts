import { z } from 'zod';
import { AuditFields } from './message.dto';
import { BoolInput, DateInput, DescriptionInput, NameInput } from './input.dto';

/**
 * Incentives (`/api/incentives`, DESIGN §7.2): pools of coupon codes. Content names its pool with
 * `incentiveId`; `{{ incentive.code }}` in it takes one code of the pool per send.
 */
export const IncentiveInputSchema = z.object({
  name: NameInput.optional(),
  description: DescriptionInput.optional(),
  isPublished: BoolInput.optional(),
  /** After this moment no code of the pool is given out (the channel skips as `content_unavailable`). */
  expiresAt: DateInput.optional(),
});
export const IncentiveCreateSchema = IncentiveInputSchema.extend({ name: NameInput });

export const IncentiveViewSchema = z.object({
  ...AuditFields,
  id: z.number().int().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  expiresAt: z.string().nullable(),
  /** Codes not given out yet. */
  codesLeft: z.number().int(),
  /** Codes given out, one per send. */
  codesIssued: z.number().int(),
});

/** A coupon code as uploaded: printable, no spaces or separators (one per line or CSV row). */
export const INCENTIVE_CODE = /^[\x21-\x7e]{1,64}$/;
export const INCENTIVE_CODE_MESSAGE = 'A code is 1 to 64 printable characters without spaces.';

/** POST /api/incentives/{id}/codes → what was added, what the pool held already, and the rows refused. */
export const IncentiveCodesReplySchema = z.object({
  added: z.number().int(),
  duplicates: z.number().int(),
  /** Refused rows by row number (1 = the first line), the first 1,000. */
  errors: z.array(z.object({ row: z.number().int(), message: z.string() })),
});
export type IncentiveCodesReply = z.infer<typeof IncentiveCodesReplySchema>;

/** What `{{ incentive.code }}` renders in previews and test sends: no code of the pool is used up. */
export const SAMPLE_INCENTIVE_CODE = 'SAMPLE-CODE';
/** The skip detail of a channel whose pool is empty or expired. */
export const NO_INCENTIVE_LEFT = 'no incentive left';
/** Content that uses its pool: it mentions `incentive` in Liquid. */
export const USES_INCENTIVE = /\{\{-?\s*incentive\b|\{%[^%]*\bincentive\b/;
