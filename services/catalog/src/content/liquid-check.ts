import { createLiquidEngine, liquidErrorReason, mauticTokensToLiquid, type ErrorDetails } from '@switchboard/contracts';

/** The engine the senders render with, so that what saves also renders. */
const engine = createLiquidEngine();

/** Parses each Liquid field (Mautic's tokens translated as senders do); a template that does not parse is a validation error on that field. */
export function liquidErrors(values: Record<string, unknown>, fields: readonly string[]): ErrorDetails {
  const details: ErrorDetails = {};
  for (const field of fields) {
    const source = values[field];
    if (typeof source !== 'string' || !source.includes('{')) continue;
    try {
      engine.parse(mauticTokensToLiquid(source));
    } catch (error) {
      details[field] = [`The template does not parse: ${liquidErrorReason(error)}`];
    }
  }
  return details;
}
