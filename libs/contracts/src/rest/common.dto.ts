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

/** A path id that must be digits (anything else is a 404, as in Mautic). */
export const NUMERIC_ID = /^\d{1,15}$/;
