import {
  CONTENT_FIELDS,
  contentFilterErrors,
  isBlankFilter,
  SegmentFilterInputSchema,
  storedFilter,
  type ContentItem,
  type ContentType,
  type DynamicContentInput,
  type DynamicContentToken,
  type ErrorDetails,
  type SegmentFilter,
  type SegmentFilterInput,
} from '@switchboard/contracts';
import { liquidErrors } from './liquid-check';

/**
 * Variants and Mautic's dynamic content (DESIGN §7.2, docs/architecture.md "Content variants"):
 * checked when content is saved — every filter must be one a sender can evaluate, every text must
 * parse as Liquid — and handed to senders ready to evaluate.
 */

interface StoredVariant {
  name: string;
  filters: SegmentFilter[];
  [field: string]: unknown;
}

/** Variant filters in the segments' stored shape (both spellings of the value), as they are answered. */
export function storedVariants(input: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(input.variants)) return input;
  const variants = (input.variants as { name: string; filters: SegmentFilterInput[] }[]).map(
    ({ name, filters, ...fields }) => ({ name, filters: filters.map(storedFilter), ...fields }),
  );
  return { ...input, variants };
}

/** A dynamic-content filter row as the segment engine reads it, or null for Mautic's placeholder rows. */
function dynamicFilter(row: Record<string, unknown>): SegmentFilter | null | string {
  if (isBlankFilter(row)) return null;
  const parsed = SegmentFilterInputSchema.safeParse({
    ...row,
    glue: row.glue ?? undefined,
    object: row.object ?? undefined,
    type: row.type ?? undefined,
    properties: row.properties ?? undefined,
  });
  if (!parsed.success) return parsed.error.issues.map((i) => i.message).join(' ');
  return storedFilter(parsed.data);
}

/** Validation errors of the variants and dynamic content of merged fields, keyed by their path. */
export function personalisationErrors(type: ContentType, fields: Record<string, unknown>): ErrorDetails {
  const errors: ErrorDetails = {};
  const spec = CONTENT_FIELDS[type];
  const variants = (fields.variants ?? []) as StoredVariant[];
  variants.forEach((variant, i) => {
    const filterErrors = contentFilterErrors(variant.filters);
    if (filterErrors.length) errors[`variants.${i}.filters`] = filterErrors;
    for (const [field, messages] of Object.entries(liquidErrors(variant, spec.liquid)))
      errors[`variants.${i}.${field}`] = messages;
  });
  const tokens = (fields.dynamicContent ?? []) as DynamicContentInput;
  tokens.forEach((token, i) => {
    for (const [, messages] of Object.entries(liquidErrors({ content: token.content }, ['content'])))
      errors[`dynamicContent.${i}.content`] = messages;
    (token.filters ?? []).forEach((choice, j) => {
      const path = `dynamicContent.${i}.filters.${j}`;
      for (const [, messages] of Object.entries(liquidErrors({ content: choice.content }, ['content'])))
        errors[`${path}.content`] = messages;
      const rows = (choice.filters ?? []).map(dynamicFilter);
      const shapeErrors = rows.flatMap((r, k) => (typeof r === 'string' ? [`#${k + 1}: ${r}`] : []));
      const filterErrors = contentFilterErrors(
        rows.filter((r): r is SegmentFilter => r !== null && typeof r !== 'string'),
      );
      if (shapeErrors.length || filterErrors.length) errors[`${path}.filters`] = [...shapeErrors, ...filterErrors];
    });
  });
  return errors;
}

type Verdict = { ok: true; fields: Record<string, unknown> } | { ok: false; errors: ErrorDetails };

/**
 * The opt-out rule (DESIGN §7.2, `OptOutRule`) applied to each variant as it is sent: its fields
 * over the base's. Errors are keyed `variants.<i>.<field>`; a footer the rule adds goes into the
 * variant's own field, or into none when the variant inherits that field from the (checked) base.
 */
export function variantsOptOut(
  fields: Record<string, unknown>,
  check: (fields: Record<string, unknown>) => Verdict,
): Verdict {
  const variants = (fields.variants ?? []) as StoredVariant[];
  if (variants.length === 0) return { ok: true, fields };
  const errors: ErrorDetails = {};
  const checked = variants.map((variant, i) => {
    const { name: _name, filters: _filters, ...own } = variant;
    const verdict = check({
      ...fields,
      ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== null && v !== undefined)),
    });
    if (!verdict.ok) {
      for (const [field, messages] of Object.entries(verdict.errors)) errors[`variants.${i}.${field}`] = messages;
      return variant;
    }
    const updated = { ...variant };
    for (const key of Object.keys(own))
      if (own[key] !== null && own[key] !== undefined) updated[key] = verdict.fields[key];
    return updated;
  });
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, fields: { ...fields, variants: checked } };
}

/** The variants and dynamic content of stored fields, as senders evaluate them. */
export function personalisationOf(
  type: ContentType,
  fields: Record<string, unknown>,
): Pick<ContentItem, 'variants' | 'dynamicContent'> {
  const result: Pick<ContentItem, 'variants' | 'dynamicContent'> = {};
  const variants = (fields.variants ?? []) as StoredVariant[];
  if (variants.length) {
    const own = CONTENT_FIELDS[type].variant as readonly string[];
    result.variants = variants.map(({ name, filters, ...rest }) => ({
      name,
      filters,
      fields: Object.fromEntries(
        Object.entries(rest).filter(([key, value]) => own.includes(key) && value !== undefined && value !== null),
      ),
    }));
  }
  const tokens = (fields.dynamicContent ?? []) as DynamicContentInput;
  if (type === 'email' && tokens.length) {
    result.dynamicContent = tokens.map((token): DynamicContentToken => ({
      tokenName: token.tokenName,
      content: token.content ?? '',
      choices: (token.filters ?? []).map((choice) => ({
        content: choice.content ?? '',
        filters: (choice.filters ?? [])
          .map(dynamicFilter)
          .filter((r): r is SegmentFilter => r !== null && typeof r !== 'string'),
      })),
    }));
  }
  return result;
}
