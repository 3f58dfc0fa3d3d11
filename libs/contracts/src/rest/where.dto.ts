import { z } from 'zod';

/** One clause of Mautic's `where[i][col|expr|val]` list parameter (a module of its own: RPC contracts use it too). */
export interface WhereClause {
  col?: string;
  expr: string;
  val?: unknown;
}

/** `where[i][col|expr|val]` as qs parses it: an array, or an object keyed by index past 20 items. */
export const WhereClauseSchema: z.ZodType<WhereClause> = z.object({
  col: z.string().max(64).optional(),
  expr: z.string({ error: 'An expr is required.' }).max(32),
  val: z.unknown().optional(),
});
