import { z } from 'zod';
import { ContactIdSchema } from '../primitives';
import { rpcContract } from '../rpc';

/**
 * Who a broadcast goes to: every contact, or the members of the included segments minus the
 * members of the excluded ones, each contact once. Segments and their membership live in
 * preferences, beside the contacts (DESIGN §7.4); campaign-actions resolves a shipment's audience
 * through these operations.
 */
export const AudienceSchema = z.object({
  include: z.array(z.number().int().positive()).default([]),
  exclude: z.array(z.number().int().positive()).default([]),
  all: z.boolean().optional(),
});
export type Audience = z.infer<typeof AudienceSchema>;

/** One page of an audience in contact-id order; `after` is the last id of the previous page. */
export const preferencesAudiencePage = rpcContract(
  'preferences',
  'audience.page',
  z.object({
    audience: AudienceSchema,
    after: ContactIdSchema.nullable().default(null),
    limit: z.number().int().min(1).max(10_000),
  }),
  z.object({ contactIds: z.array(ContactIdSchema), next: ContactIdSchema.nullable() }),
);

/** How many contacts an audience holds now (the editor's live count). */
export const preferencesAudienceCount = rpcContract(
  'preferences',
  'audience.count',
  z.object({ audience: AudienceSchema }),
  z.object({ count: z.number().int().min(0) }),
);
