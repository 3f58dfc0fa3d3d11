import { z } from 'zod';
import { ChannelSchema } from './channels';
import { ContactIdSchema, CountrySchema, EmailSchema, TimeZoneSchema } from './primitives';
import { stripHtml } from './rest/input.dto';

export const FREQUENCY_TIMES = ['DAY', 'WEEK', 'MONTH'] as const;
export const FrequencyTimeSchema = z.enum(FREQUENCY_TIMES);
export type FrequencyTime = z.infer<typeof FrequencyTimeSchema>;

/** Rolling window length of each frequency unit. */
export const FREQUENCY_WINDOW_MS: Record<FrequencyTime, number> = {
  DAY: 86_400_000,
  WEEK: 7 * 86_400_000,
  MONTH: 30 * 86_400_000,
};

/** Mautic's do-not-contact reasons. */
export const DNC_REASONS = { unsubscribed: 1, bounced: 2, manual: 3, complained: 4 } as const;
export const DncReasonSchema = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);

const base64url = z.string().regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url');

export const WebPushSubscriptionSchema = z.object({
  endpoint: z.url({ protocol: /^https?$/ }),
  keys: z.object({ p256dh: base64url, auth: base64url }),
});

export const MobileDeviceSchema = z.object({
  platform: z.enum(['android', 'ios', 'web']),
  token: z.string().min(1).max(4096),
});

const DateInput = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).nullable();

export const FrequencyRuleInputSchema = z.object({
  frequencyNumber: z.number().int().min(0).nullable().optional(),
  frequencyTime: FrequencyTimeSchema.nullable().optional(),
  pauseFrom: DateInput.optional(),
  pauseTo: DateInput.optional(),
});

export const DoNotContactSchema = z.object({
  channel: ChannelSchema,
  reason: DncReasonSchema,
  comments: z.string().nullable().optional(),
  dateAdded: z.string().optional(),
});

export const INVALID_DNC_REASON = 'Invalid reason code given';

/** A do-not-contact entry in a contact's create or edit body, as Mautic clients send it (`reason` 1–4, "2" too; default 3, manual). */
export const DncInputSchema = z.object({
  channel: ChannelSchema,
  reason: z
    .preprocess(
      (v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v),
      z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], { error: INVALID_DNC_REASON }),
    )
    .optional(),
  comments: z.string().max(2000).nullable().optional(),
});

/** A contact as clients send it (REST body and sb.contact.upserted.v1). */
export const ContactInputSchema = z.object({
  id: ContactIdSchema.optional(),
  email: EmailSchema.nullable().optional(),
  /** Normalised to E.164 by preferences (with `country`); a number that cannot be is kept as given and is no SMS address. */
  mobile: z.string().trim().max(64).nullable().optional(),
  /** Plain text: a name is shown in the UI, emails and exports, so markup in it is stripped. */
  firstname: z.string().max(255).transform(stripHtml).nullable().optional(),
  lastname: z.string().max(255).transform(stripHtml).nullable().optional(),
  locale: z.string().max(32).nullable().optional(),
  timezone: TimeZoneSchema.nullable().optional(),
  country: CountrySchema.nullable().optional(),
  twitterHandle: z
    .string()
    .regex(/^@?[A-Za-z0-9_]{1,15}$/, 'A twitter handle is 1-15 letters, digits or _.')
    .nullable()
    .optional(),
  webPushSubscriptions: z.array(WebPushSubscriptionSchema).max(20).optional(),
  mobileDevices: z.array(MobileDeviceSchema).max(20).optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
  preferredChannel: ChannelSchema.nullable().optional(),
  frequencyRules: z.partialRecord(ChannelSchema, FrequencyRuleInputSchema).optional(),
  /** Entries added (one per channel and reason); existing ones stay. */
  doNotContact: z.array(DncInputSchema).max(20).optional(),
});
export type ContactInput = z.infer<typeof ContactInputSchema>;

export interface Contact {
  id: string;
  email: string | null;
  mobile: string | null;
  firstname: string | null;
  lastname: string | null;
  locale: string | null;
  timezone: string | null;
  country: string | null;
  twitterHandle: string | null;
  webPushSubscriptions: z.infer<typeof WebPushSubscriptionSchema>[];
  mobileDevices: z.infer<typeof MobileDeviceSchema>[];
  fields: Record<string, unknown>;
  preferredChannel: string | null;
  frequencyRules: Record<
    string,
    {
      frequencyNumber: number | null;
      frequencyTime: FrequencyTime | null;
      pauseFrom: string | null;
      pauseTo: string | null;
    }
  >;
  doNotContact: { channel: string; reason: number; comments: string | null; dateAdded: string }[];
  dateAdded: string;
  dateModified: string;
}

export type DncReasonName = keyof typeof DNC_REASONS;
export const DNC_REASON_NAMES: Record<number, DncReasonName> = {
  1: 'unsubscribed',
  2: 'bounced',
  3: 'manual',
  4: 'complained',
};

export const FrequencyRuleSchema = z.object({
  frequencyNumber: z.number().int().nullable(),
  frequencyTime: FrequencyTimeSchema.nullable(),
  pauseFrom: z.string().nullable(),
  pauseTo: z.string().nullable(),
});

/** A contact as the API and RPCs return it (the shape of `Contact`, checked). */
export const ContactSchema = z.object({
  id: z.string(),
  email: z.string().nullable(),
  mobile: z.string().nullable(),
  firstname: z.string().nullable(),
  lastname: z.string().nullable(),
  locale: z.string().nullable(),
  timezone: z.string().nullable(),
  country: z.string().nullable(),
  twitterHandle: z.string().nullable(),
  webPushSubscriptions: z.array(WebPushSubscriptionSchema),
  mobileDevices: z.array(MobileDeviceSchema),
  fields: z.record(z.string(), z.unknown()),
  preferredChannel: ChannelSchema.nullable(),
  frequencyRules: z.partialRecord(ChannelSchema, FrequencyRuleSchema),
  doNotContact: z.array(
    z.object({
      channel: ChannelSchema,
      reason: DncReasonSchema,
      comments: z.string().nullable(),
      dateAdded: z.string(),
    }),
  ),
  dateAdded: z.string(),
  dateModified: z.string(),
}) satisfies z.ZodType<Contact>;

/** sb.contact.upserted.v1 — CRM → preferences. */
export const ContactUpsertedSchema = ContactInputSchema.extend({ id: ContactIdSchema });
export type ContactUpserted = z.infer<typeof ContactUpsertedSchema>;
