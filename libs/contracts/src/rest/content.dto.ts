import { z } from 'zod';
import { ChannelSchema } from '../channels';
import { WebPushSubscriptionSchema } from '../contact';
import { isE164 } from '../phone';
import { ContactIdSchema } from '../primitives';
import type { ContentType } from '../rpc/catalog.rpc';
import { AuditFields, CategoryRefSchema } from './message.dto';
import { BoolInput, DateInput, DescriptionInput, IntInput, NameInput } from './input.dto';

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
  },
  tweet: {
    input: { text: text(280).optional(), incentiveId: IntInput.nullable().optional() },
    required: { text: required('text', 280) },
    liquid: ['text'],
    html: [],
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
  },
} as const satisfies Record<
  ContentType,
  { input: z.ZodRawShape; required: z.ZodRawShape; liquid: readonly string[]; html: readonly string[] }
>;

export const EmailInputSchema = z.object({ ...CommonInput, ...CONTENT_FIELDS.email.input });
export const SmsInputSchema = z.object({ ...CommonInput, ...CONTENT_FIELDS.sms.input });
export const NotificationInputSchema = z.object({ ...CommonInput, ...CONTENT_FIELDS.notification.input });
export const TweetInputSchema = z.object({ ...CommonInput, ...CONTENT_FIELDS.tweet.input });
export const InAppInputSchema = z.object({ ...CommonInput, ...CONTENT_FIELDS.inapp.input });

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
  ...Tail,
});
export const SmsViewSchema = z.object({
  ...CommonOutput,
  message: s,
  senderId: s,
  incentiveId: z.number().int().nullable(),
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
  ...Tail,
});
export const TweetViewSchema = z.object({
  ...CommonOutput,
  text: s,
  incentiveId: z.number().int().nullable(),
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
 * `error` (the Mautic error item) instead of its fields.
 */
export const MessagePreviewChannelSchema = z.object({
  channel: ChannelSchema,
  contentType: z.enum(['email', 'sms', 'notification', 'tweet', 'inapp']),
  contentId: z.number().int(),
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
