import { Liquid } from 'liquidjs';
import type { ErrorDetails } from '@switchboard/contracts';

/** The same options the senders render with, so that what saves also renders. */
const engine = new Liquid({
  parseLimit: 1_000_000,
  memoryLimit: 16_000_000,
  ownPropertyOnly: true,
  strictFilters: true,
});

/** Parses each Liquid field; a template that does not parse is a validation error on that field. */
export function liquidErrors(values: Record<string, unknown>, fields: readonly string[]): ErrorDetails {
  const details: ErrorDetails = {};
  for (const field of fields) {
    const source = values[field];
    if (typeof source !== 'string' || !source.includes('{')) continue;
    try {
      engine.parse(source);
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0];
      details[field] = [`The template does not parse: ${reason}`];
    }
  }
  return details;
}
