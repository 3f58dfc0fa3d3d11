import type { z } from 'zod';
import { DomainError, type ErrorDetails } from './errors';

/** zod issues → Mautic's details (`field` → messages); nested paths joined by dots. */
export function issuesToDetails(error: z.ZodError): ErrorDetails {
  const details: ErrorDetails = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || '';
    (details[field] ??= []).push(issue.message);
  }
  return details;
}

/** Parses at a boundary: the value or a validation DomainError. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw DomainError.validation(issuesToDetails(result.error));
  return result.data;
}
