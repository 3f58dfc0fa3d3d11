import { z } from 'zod';
import { AuditFields, CategoryRefSchema } from './message.dto';
import { BoolInput, DescriptionInput, IntInput, NameInput } from './input.dto';
import { PreviewRequestSchema } from './content.dto';

/**
 * Templates (`/api/templates`, DESIGN §7.4): reusable email layouts. A template is HTML with
 * Liquid, holding one `{{ content }}` slot where an email that names it (`templateId`) puts its
 * body. The layout's own Liquid sees the same contact as the email's.
 */
export const TEMPLATE_CONTENT_SLOT = /\{\{-?\s*content\s*-?\}\}/g;

const SLOT_MESSAGE = 'A template holds one {{ content }} slot, where the email goes.';
const layout = z
  .string({ error: 'An html layout is required.' })
  .max(2_000_000)
  .refine((v) => (v.match(TEMPLATE_CONTENT_SLOT) ?? []).length === 1, SLOT_MESSAGE);

export const TemplateInputSchema = z.object({
  name: NameInput.optional(),
  description: DescriptionInput.optional(),
  isPublished: BoolInput.optional(),
  category: IntInput.nullable().optional(),
  html: layout.optional(),
});
export const TemplateCreateSchema = TemplateInputSchema.extend({ name: NameInput, html: layout });

export const TemplateViewSchema = z.object({
  ...AuditFields,
  id: z.number().int().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  html: z.string(),
  category: CategoryRefSchema.nullable(),
});

/** POST /api/templates/{id}/preview: the layout around `content` (sample HTML), for a stored contact or sample fields. */
export const TemplatePreviewRequestSchema = PreviewRequestSchema.extend({
  content: z.string().max(2_000_000).optional(),
});

/** Text no Liquid template contains: stands in for the slot while the layout's own Liquid renders. */
const SLOT_MARKER = 'sb-template-content-slot-4f0c9a';

/**
 * `body` laid out in `layout`: the layout's Liquid is rendered by `render` (with the slot kept out
 * of it, so the body is neither parsed again nor escaped), then the slot is filled with the body.
 */
export function layOut(layout: string, body: string, render: (source: string) => string): string {
  const rendered = render(layout.replace(TEMPLATE_CONTENT_SLOT, SLOT_MARKER));
  return rendered.replace(SLOT_MARKER, () => body);
}
