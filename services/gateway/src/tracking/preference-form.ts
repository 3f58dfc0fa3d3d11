import { z } from 'zod';
import { ChannelSchema, FREQUENCY_TIMES, type Channel, type FrequencyTime } from '@switchboard/contracts';

/** One channel's part of the form, as the browser posts it (`channels[email][frequencyNumber]=2`...). */
const ChannelFieldsSchema = z.object({
  shown: z.literal('1'),
  subscribed: z.string().optional(),
  frequencyNumber: z.string().max(20).optional(),
  frequencyTime: z.string().max(20).optional(),
  pauseFrom: z.string().max(40).optional(),
  pauseTo: z.string().max(40).optional(),
});

export const PreferenceFormSchema = z.object({
  /** Marks the page's own form: any other POST body is neither this nor a one-click unsubscribe. */
  form: z.literal('preferences'),
  preferredChannel: z.union([ChannelSchema, z.literal('')]).optional(),
  channels: z.partialRecord(ChannelSchema, ChannelFieldsSchema).default({}),
});

export interface ChannelChoice {
  channel: Channel;
  /** The checkbox was ticked (an unticked or disabled one is not posted). */
  subscribed: boolean;
  frequencyNumber: number | null;
  frequencyTime: FrequencyTime | null;
  pauseFrom: string | null;
  pauseTo: string | null;
}

export interface PreferenceChoices {
  preferredChannel: Channel | null;
  channels: ChannelChoice[];
}

/** Field id → message; the ids are the inputs' ids, so the error summary can link to them. */
export type FormErrors = Record<string, string>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function day(value: string | undefined): string | null | undefined {
  const v = value?.trim() ?? '';
  if (v === '') return null;
  if (!DAY.test(v)) return undefined;
  const d = new Date(`${v}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v) ? v : undefined;
}

/** The contact's choices, or the fields to correct. */
export function readPreferenceForm(body: unknown): { choices: PreferenceChoices } | { errors: FormErrors } {
  const parsed = PreferenceFormSchema.safeParse(body ?? {});
  if (!parsed.success) return { errors: { form: 'The form could not be read. Please reload the page and try again.' } };
  const errors: FormErrors = {};
  const channels: ChannelChoice[] = [];
  for (const [channel, f] of Object.entries(parsed.data.channels) as [Channel, z.infer<typeof ChannelFieldsSchema>][]) {
    const numberText = f.frequencyNumber?.trim() ?? '';
    const timeText = f.frequencyTime?.trim() ?? '';
    let frequencyNumber: number | null = null;
    if (numberText !== '') {
      if (/^\d{1,4}$/.test(numberText) && Number(numberText) >= 1) frequencyNumber = Number(numberText);
      else
        errors[`${channel}-frequencyNumber`] = 'Enter a whole number from 1 to 9999, or leave it empty for no limit.';
    }
    const frequencyTime = (FREQUENCY_TIMES as readonly string[]).includes(timeText)
      ? (timeText as FrequencyTime)
      : null;
    if (timeText !== '' && !frequencyTime)
      errors[`${channel}-frequencyTime`] = 'Choose per day, per week or per month.';
    if (frequencyNumber !== null && frequencyTime === null && !errors[`${channel}-frequencyTime`]) {
      errors[`${channel}-frequencyTime`] = 'Choose per day, per week or per month.';
    }
    if (frequencyTime !== null && numberText === '')
      errors[`${channel}-frequencyNumber`] = 'Enter how many messages, or choose no limit.';
    const pauseFrom = day(f.pauseFrom);
    const pauseTo = day(f.pauseTo);
    if (pauseFrom === undefined) errors[`${channel}-pauseFrom`] = 'Enter a date as YYYY-MM-DD.';
    if (pauseTo === undefined) errors[`${channel}-pauseTo`] = 'Enter a date as YYYY-MM-DD.';
    if (pauseFrom && pauseTo && pauseTo < pauseFrom)
      errors[`${channel}-pauseTo`] = 'The pause cannot end before it starts.';
    if (pauseTo && pauseFrom === null) errors[`${channel}-pauseFrom`] = 'Enter when the pause starts.';
    channels.push({
      channel,
      subscribed: f.subscribed === 'on',
      frequencyNumber,
      frequencyTime,
      pauseFrom: pauseFrom ?? null,
      pauseTo: pauseTo ?? null,
    });
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { choices: { preferredChannel: parsed.data.preferredChannel || null, channels } };
}
