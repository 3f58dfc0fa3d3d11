import { z } from 'zod';

/** The Mautic error body: `{"errors":[{code, message, details, type}]}`. */
export const ApiErrorSchema = z.object({
  errors: z.array(
    z.object({
      code: z.number().int(),
      message: z.string(),
      details: z.record(z.string(), z.array(z.string())),
      type: z.null(),
    }),
  ),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** PostgreSQL's `int`, the type of every numeric id and integer column: values past it can match nothing. */
export const INT_MAX = 2_147_483_647;
export const INT_MIN = -2_147_483_648;

/** A path id that must be digits (anything else is a 404, as in Mautic). */
export const NUMERIC_ID = /^\d{1,15}$/;

/** A numeric path id, or undefined when it is not digits or past INT_MAX (no such item can exist: a 404). */
export function parseNumericId(value: string): number | undefined {
  if (!NUMERIC_ID.test(value)) return undefined;
  const id = Number(value);
  return id <= INT_MAX ? id : undefined;
}
