import { z } from 'zod';
import { ChannelSchema } from '../channels';
import { WebPushSubscriptionSchema } from '../contact';
import { isE164 } from '../phone';
import { ContactIdSchema } from '../primitives';
import type { ContentType } from '../rpc/catalog.rpc';
import { AuditFields, CategoryRefSchema } from './message.dto';
import { BoolInput, DateInput, DescriptionInput, IntInput, NameInput } from './input.dto';
import { SegmentFilterSchema, SegmentFiltersInputSchema } from './segment.dto';

const text = (max: number) => z.union([z.string().max(max), z.null()]);
const required = (label: string, max: number) =>
  z
    .string({ error: `A ${label} is required.` })
    .max(max)
    .refine((v) => v.trim() !== '', `A ${label} is required.`);
/**
 * A link a browser or device opens: http(s) only (no `javascript:` or `data:`), or Liquid or a
 * Mautic `{contactfield=...}` that renders one (the senders check the rendered link again).
 */
const webUrl = (max: number) =>
  text(max).refine(
    (v) => v === null || v.trim() === '' || /^\s*(https?:\/\/|\{\{|(\{|%7B)contactfield=)/i.test(v),
    'A URL must start with http:// or https://.',
  );
const optionalEmail = z
  .union([z.email('A valid email address is required.'), z.literal(''), z.null()])
  .transform((v) => (v === '' ? null : v));

/** Mautic's email types: `template` (sent by campaigns and API calls) or `list` (a segment email, sent to its `lists`). */
export const EMAIL_TYPES = ['template', 'list'] as const;
const EmailTypeInput = z.union([z.enum(EMAIL_TYPES, { error: 'The email type is template or list.' }), z.null()]);
/** Segment ids, given as ids or as the `{id, ...}` objects a GET returns (Mautic clients PUT back what they read). */
export const SegmentIdsInput = z
  .array(z.union([IntInput, z.object({ id: IntInput }).transform((s) => s.id)]))
  .max(1000)
  .transform((ids) => [...new Set(ids)].filter((id) => id > 0));

/** Fields every content item has (all optional: PATCH). */
const CommonInput = {
  name: NameInput.optional(),
  description: DescriptionInput.optional(),
  isPublished: BoolInput.optional(),
  publishUp: DateInput.optional(),
  publishDown: DateInput.optional(),
  category: IntInput.nullable().optional(),
  language: z.union([z.string().max(16), z.null()]).optional(),
  /**
   * Not stored: with SB_STRICT_OPTOUT, published content without its opt-out or unsubscribe tag
   * gets the configured footer appended instead of a 400 (DESIGN §7.2).
   */
  autoAppendOptOut: BoolInput.optional(),
};

/**
 * Per content type: the fields of DESIGN §7.2 (all optional, for PATCH), which of them are
 * required on create/PUT, and which hold Liquid (parsed on save: a template that does not parse
 * is a 400).
 */
export const CONTENT_FIELDS = {
  email: {
    input: {
      subject: text(998).optional(),
      customHtml: text(2_000_000).optional(),
      plainText: text(1_000_000).optional(),
      fromAddress: optionalEmail.optional(),
      fromName: text(191).optional(),
      replyToAddress: optionalEmail.optional(),
      templateId: IntInput.nullable().optional(),
      incentiveId: IntInput.nullable().optional(),
      emailType: EmailTypeInput.optional(),
      lists: SegmentIdsInput.optional(),
    },
    required: { subject: required('subject', 998) },
    liquid: ['subject', 'customHtml', 'plainText', 'fromName'],
    html: ['customHtml'],
    variant: ['subject', 'customHtml', 'plainText', 'fromAddress', 'fromName', 'replyToAddress'],
  },
  sms: {
    input: {
      message: text(1600).optional(),
      senderId: text(32).optional(),
      incentiveId: IntInput.nullable().optional(),
    },
    required: { message: required('message', 1600) },
    liquid: ['message'],
    html: [],
    variant: ['message', 'senderId'],
  },
  notification: {
    input: {
      heading: text(255).optional(),
      message: text(4000).optional(),
      url: webUrl(2048).optional(),
      icon: webUrl(2048).optional(),
      mobile: BoolInput.optional(),
      incentiveId: IntInput.nullable().optional(),
    },
    required: { heading: required('heading', 255), message: required('message', 4000) },
    liquid: ['heading', 'message', 'url'],
    html: [],
    variant: ['heading', 'message', 'url', 'icon'],
  },
  tweet: {
    input: { text: text(280).optional(), incentiveId: IntInput.nullable().optional() },
    required: { text: required('text', 280) },
    liquid: ['text'],
    html: [],
    variant: ['text'],
  },
  /** In-app inbox messages (DESIGN §7.7); `body` is limited HTML, sanitised when the sender stores it. */
  inapp: {
    input: {
      title: text(255).optional(),
      body: text(20_000).optional(),
      url: webUrl(2048).optional(),
      icon: webUrl(2048).optional(),
      expiresAfterDays: z
        .union([
          IntInput.pipe(z.number().min(1, 'Between 1 and 3650 days.').max(3650, 'Between 1 and 3650 days.')),
          z.null(),
        ])
        .optional(),
      incentiveId: IntInput.nullable().optional(),
    },
    required: { title: required('title', 255) },
    liquid: ['title', 'body', 'url'],
    html: ['body'],
    variant: ['title', 'body', 'url', 'icon'],
  },
} as const satisfies Record<
  ContentType,
  {
    input: z.ZodRawShape;
    required: z.ZodRawShape;
    liquid: readonly string[];
    html: readonly string[];
    /** The fields a variant may override (DESIGN §7.2); the rest always come from the base content. */
    variant: readonly string[];
  }
>;

/** How many variants one content item may have, and how many dynamic-content tokens an email. */
export const MAX_VARIANTS = 20;
export const MAX_DYNAMIC_CONTENT = 50;

const VariantNameInput = z
  .string({ error: 'A variant name is required.' })
  .trim()
  .min(1, 'A variant name is required.')
  .max(64, 'A variant name has at most 64 characters.');

/**
 * `variants: [{name, filters, ...fields}]` of one content type: the first variant whose filters
 * match the contact at send time is sent instead of the base content (its fields over the base's).
 */
function variantsInput(type: ContentType) {
  const spec = CONTENT_FIELDS[type];
  const shape = Object.fromEntries(
    spec.variant.map((field) => [field, (spec.input as z.ZodRawShape)[field]]),
  ) as z.ZodRawShape;
  return z
    .array(
      z.object({
        name: VariantNameInput,
        filters: SegmentFiltersInputSchema.min(1, 'A variant needs at least one filter.'),
        ...shape,
      }),
      { error: 'variants is a list.' },
    )
    .max(MAX_VARIANTS, `At most ${MAX_VARIANTS} variants.`)
    .superRefine((variants, ctx) => {
      const seen = new Set<string>();
      variants.forEach((v, i) => {
        const key = v.name.toLowerCase();
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'Variant names are unique.' });
        seen.add(key);
      });
    });
}

/**
 * Mautic's dynamic content of an email: `{dynamiccontent="tokenName"}` in the body becomes the
 * `content` of the first entry of `filters` whose filters match the contact, else the default
 * `content`. Objects are loose and nothing is rewritten, so a Mautic client reads back exactly
 * what it sent (Mautic's own placeholder rows, with every key null, included).
 */
const DynamicFilterRow = z.looseObject({
  glue: z.string().nullable().optional(),
  field: z.string().max(100).nullable().optional(),
  object: z.string().max(32).nullable().optional(),
  type: z.string().max(32).nullable().optional(),
  operator: z.string().max(16).nullable().optional(),
  filter: z.unknown().optional(),
  display: z.string().max(500).nullable().optional(),
  properties: z.record(z.string(), z.unknown()).nullable().optional(),
});
export const DynamicContentInputSchema = z
  .array(
    z.looseObject({
      tokenName: z
        .string({ error: 'A token name is required.' })
        .min(1, 'A token name is required.')
        .max(191)
        .refine((v) => !/["{}]/.test(v), 'A token name has no quotes or braces.'),
      content: z.string().max(1_000_000).nullable().optional(),
      filters: z
        .array(
          z.looseObject({
            content: z.string().max(1_000_000).nullable().optional(),
            filters: z.array(DynamicFilterRow).max(100, 'At most 100 filters.').nullable().optional(),
          }),
        )
        .max(MAX_VARIANTS, `At most ${MAX_VARIANTS} alternatives per token.`)
        .nullable()
        .optional(),
    }),
    { error: 'dynamicContent is a list.' },
  )
  .max(MAX_DYNAMIC_CONTENT, `At most ${MAX_DYNAMIC_CONTENT} dynamic content tokens.`);
export type DynamicContentInput = z.infer<typeof DynamicContentInputSchema>;

/** A variant as stored and shown: its filters in the segments' stored shape. */
export const VariantViewSchema = z.looseObject({ name: z.string(), filters: z.array(SegmentFilterSchema) });

/** Personalisation beyond Liquid (DESIGN §7.2), per type: variants everywhere, Mautic's dynamic content on emails. */
export const PERSONALISATION_INPUT = {
  email: {
    variants: variantsInput('email').optional(),
    dynamicContent: DynamicContentInputSchema.nullable().optional(),
  },
  sms: { variants: variantsInput('sms').optional() },
  notification: { variants: variantsInput('notification').optional() },
  tweet: { variants: variantsInput('tweet').optional() },
  inapp: { variants: variantsInput('inapp').optional() },
} as const satisfies Record<ContentType, z.ZodRawShape>;

export const EmailInputSchema = z.object({
  ...CommonInput,
  ...CONTENT_FIELDS.email.input,
  ...PERSONALISATION_INPUT.email,
});
export const SmsInputSchema = z.object({ ...CommonInput, ...CONTENT_FIELDS.sms.input, ...PERSONALISATION_INPUT.sms });
export const NotificationInputSchema = z.object({
  ...CommonInput,
  ...CONTENT_FIELDS.notification.input,
  ...PERSONALISATION_INPUT.notification,
});
export const TweetInputSchema = z.object({
  ...CommonInput,
  ...CONTENT_FIELDS.tweet.input,
  ...PERSONALISATION_INPUT.tweet,
});
export const InAppInputSchema = z.object({
  ...CommonInput,
  ...CONTENT_FIELDS.inapp.input,
  ...PERSONALISATION_INPUT.inapp,
});

export const CONTENT_INPUT_SCHEMAS = {
  email: EmailInputSchema,
  sms: SmsInputSchema,
  notification: NotificationInputSchema,
  tweet: TweetInputSchema,
  inapp: InAppInputSchema,
} as const;

/** POST/PUT: `name` and the type's required fields. */
export const CONTENT_CREATE_SCHEMAS = {
  email: EmailInputSchema.extend({ name: NameInput, ...CONTENT_FIELDS.email.required }),
  sms: SmsInputSchema.extend({ name: NameInput, ...CONTENT_FIELDS.sms.required }),
  notification: NotificationInputSchema.extend({ name: NameInput, ...CONTENT_FIELDS.notification.required }),
  tweet: TweetInputSchema.extend({ name: NameInput, ...CONTENT_FIELDS.tweet.required }),
  inapp: InAppInputSchema.extend({ name: NameInput, ...CONTENT_FIELDS.inapp.required }),
} as const;

const CommonOutput = {
  ...AuditFields,
  id: z.number().int().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  language: z.string().nullable(),
};
const Tail = {
  publishUp: z.string().nullable(),
  publishDown: z.string().nullable(),
  category: CategoryRefSchema.nullable(),
};
const s = z.string().nullable();

export const EmailViewSchema = z.object({
  ...CommonOutput,
  subject: s,
  customHtml: s,
  plainText: s,
  fromAddress: s,
  fromName: s,
  replyToAddress: s,
  templateId: z.number().int().nullable(),
  incentiveId: z.number().int().nullable(),
  emailType: z.enum(EMAIL_TYPES),
  /** The segments a `list` email goes to, as Mautic shows them. */
  lists: z.array(z.object({ id: z.number().int() })),
  variants: z.array(VariantViewSchema),
  /** As the client sent it. */
  dynamicContent: z.array(z.record(z.string(), z.unknown())),
  ...Tail,
});
export const SmsViewSchema = z.object({
  ...CommonOutput,
  message: s,
  senderId: s,
  incentiveId: z.number().int().nullable(),
  variants: z.array(VariantViewSchema),
  ...Tail,
});
export const NotificationViewSchema = z.object({
  ...CommonOutput,
  heading: s,
  message: s,
  url: s,
  icon: s,
  mobile: z.boolean(),
  incentiveId: z.number().int().nullable(),
  variants: z.array(VariantViewSchema),
  ...Tail,
});
export const TweetViewSchema = z.object({
  ...CommonOutput,
  text: s,
  incentiveId: z.number().int().nullable(),
  variants: z.array(VariantViewSchema),
  ...Tail,
});
export const InAppViewSchema = z.object({
  ...CommonOutput,
  title: s,
  body: s,
  url: s,
  icon: s,
  expiresAfterDays: z.number().int().nullable(),
  incentiveId: z.number().int().nullable(),
  variants: z.array(VariantViewSchema),
  ...Tail,
});

export const CONTENT_OUTPUT_SCHEMAS = {
  email: EmailViewSchema,
  sms: SmsViewSchema,
  notification: NotificationViewSchema,
  tweet: TweetViewSchema,
  inapp: InAppViewSchema,
} as const;

/** REST paths and JSON keys per content type (`{"sms": S}`, `{"total": n, "smses": [...]}`). */
export const CONTENT_REST = {
  email: { path: 'emails', item: 'email', list: 'emails' },
  sms: { path: 'smses', item: 'sms', list: 'smses' },
  notification: { path: 'notifications', item: 'notification', list: 'notifications' },
  tweet: { path: 'tweets', item: 'tweet', list: 'tweets' },
  inapp: { path: 'inappmessages', item: 'inappmessage', list: 'inappmessages' },
} as const satisfies Record<ContentType, { path: string; item: string; list: string }>;

/** POST /api/<type>/{id}/preview: render for a stored contact, or for sample fields. */
export const PreviewRequestSchema = z.object({
  contactId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'Contact ids are 1-64 of A-Z a-z 0-9 . _ : -')
    .optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
});
export type PreviewRequest = z.infer<typeof PreviewRequestSchema>;

/** Where a test of each content type goes (DESIGN §7.2 test send). */
export const TEST_ADDRESS_SCHEMAS = {
  email: z.email({ error: 'A valid email address is required.' }),
  sms: z
    .string({ error: 'A mobile number in E.164 form (+420777000111) is required.' })
    .refine(isE164, 'A mobile number in E.164 form (+420777000111) is required.'),
  /** A browser's web-push subscription (channel notification) or a device's FCM token (channel mobile_notification). */
  notification: z.union(
    [
      WebPushSubscriptionSchema,
      z.object({ token: z.string().min(1).max(4096), platform: z.enum(['android', 'ios', 'web']).default('android') }),
    ],
    { error: 'A web-push subscription {endpoint, keys: {p256dh, auth}} or a device {token, platform} is required.' },
  ),
  tweet: z
    .string({ error: 'A twitter handle (@name) is required.' })
    .regex(/^@?[A-Za-z0-9_]{1,15}$/, 'A twitter handle (@name) is required.'),
  /** The contact whose inbox gets the test. */
  inapp: ContactIdSchema,
} as const satisfies Record<ContentType, z.ZodType>;

/** POST /api/<type>/{id}/test: send the content now to `address`, rendered for a stored contact or for sample fields. */
export const TEST_SEND_REQUEST_SCHEMAS = {
  email: PreviewRequestSchema.extend({ address: TEST_ADDRESS_SCHEMAS.email }),
  sms: PreviewRequestSchema.extend({ address: TEST_ADDRESS_SCHEMAS.sms }),
  notification: PreviewRequestSchema.extend({ address: TEST_ADDRESS_SCHEMAS.notification }),
  tweet: PreviewRequestSchema.extend({ address: TEST_ADDRESS_SCHEMAS.tweet }),
  inapp: PreviewRequestSchema.extend({ address: TEST_ADDRESS_SCHEMAS.inapp }),
} as const satisfies Record<ContentType, z.ZodType>;
export type TestSendRequest = z.infer<(typeof TEST_SEND_REQUEST_SCHEMAS)[ContentType]>;
export const TestSendRequestSchema = TEST_SEND_REQUEST_SCHEMAS.email;

/** The reply of a test send: where it went, through which channel and provider, and the provider's id of it. */
export const TestSendReplySchema = z.object({
  test: z.object({
    address: z.union([z.string(), z.record(z.string(), z.unknown())]),
    channel: ChannelSchema,
    provider: z.string(),
    providerMessageId: z.string().optional(),
  }),
});

/** Categories (`/api/categories`), as in Mautic. */
export const CategoryInputSchema = z.object({
  title: z
    .string({ error: 'A title is required.' })
    .max(191)
    .transform((v) => v.replace(/<[^>]*>/g, '').trim())
    .pipe(z.string().min(1, 'A title is required.'))
    .optional(),
  alias: z
    .union([z.string().regex(/^[a-z0-9-]{1,191}$/, 'An alias is lowercase letters, digits and -.'), z.null()])
    .optional(),
  description: DescriptionInput.optional(),
  color: z.union([z.string().regex(/^#?[0-9a-fA-F]{6}$/, 'A color is 6 hex digits.'), z.null()]).optional(),
  bundle: z.string().max(64).optional(),
  isPublished: BoolInput.optional(),
});
export const CategoryCreateSchema = CategoryInputSchema.extend({
  title: z
    .string({ error: 'A title is required.' })
    .max(191)
    .transform((v) => v.replace(/<[^>]*>/g, '').trim())
    .pipe(z.string().min(1, 'A title is required.')),
});
export const CategoryViewSchema = z.object({
  ...AuditFields,
  id: z.number().int().nullable(),
  title: z.string(),
  alias: z.string().nullable(),
  description: z.string().nullable(),
  color: z.string().nullable(),
  bundle: z.string(),
});

const nullableText = z.string().nullable();

/**
 * One channel of `POST /api/messages/{id}/preview`: the channel's content rendered by the same
 * preview as `POST /api/<type>/{id}/preview`, named as the channel shows it. Email: `subject`,
 * `html` (laid out in its template), `text` (null: the sender derives it from the HTML),
 * `fromName`; sms: `message` as sent (the opt-out text appended where it has none), `segments`,
 * `encoding`; notification and mobile_notification: `heading`, `message`, `url`; tweet: `text`;
 * inapp: `title`, `body`, `url`. A channel whose content is missing or does not render carries
 * `error` (the Mautic error item) instead of its fields. Content with variants names the one this
 * contact gets (`variant`, null for the base content).
 */
export const MessagePreviewChannelSchema = z.object({
  channel: ChannelSchema,
  contentType: z.enum(['email', 'sms', 'notification', 'tweet', 'inapp']),
  contentId: z.number().int(),
  variant: nullableText.optional(),
  subject: nullableText.optional(),
  html: nullableText.optional(),
  text: nullableText.optional(),
  fromName: nullableText.optional(),
  message: nullableText.optional(),
  segments: z.number().int().optional(),
  encoding: z.enum(['GSM-7', 'UCS-2']).optional(),
  heading: nullableText.optional(),
  url: nullableText.optional(),
  title: nullableText.optional(),
  body: nullableText.optional(),
  error: z
    .object({ code: z.number().int(), message: z.string(), details: z.record(z.string(), z.array(z.string())) })
    .optional(),
});
export type MessagePreviewChannel = z.infer<typeof MessagePreviewChannelSchema>;

/** `POST /api/messages/{id}/preview` → each enabled channel with content, in the message's order. */
export const MessagePreviewReplySchema = z.object({
  preview: z.object({ messageId: z.number().int(), channels: z.array(MessagePreviewChannelSchema) }),
});
