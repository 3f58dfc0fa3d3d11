import type { z } from 'zod';
import {
  CHANNELS,
  DomainError,
  normalizeMobile,
  type Channel,
  type ContactSchema,
  type ContactInput,
  type ErrorDetails,
  type FrequencyTime,
  type MobileDeviceSchema,
  type WebPushSubscriptionSchema,
} from '@switchboard/contracts';

export type WebPushSubscription = z.infer<typeof WebPushSubscriptionSchema>;
export type MobileDevice = z.infer<typeof MobileDeviceSchema>;
export type DncReason = 1 | 2 | 3 | 4;
/** A contact as the API and RPCs answer it. */
export type Contact = z.infer<typeof ContactSchema>;

export interface RuleRecord {
  frequencyNumber: number | null;
  frequencyTime: FrequencyTime | null;
  pauseFrom: Date | null;
  pauseTo: Date | null;
}

export interface DncRecord {
  channel: Channel;
  reason: DncReason;
  comments: string | null;
  source: string | null;
  dateAdded: Date;
}

/** A contact as stored: the row, its per-channel rules and its do-not-contact entries. */
export interface ContactRecord {
  id: string;
  email: string | null;
  mobile: string | null;
  firstname: string | null;
  lastname: string | null;
  locale: string | null;
  timezone: string | null;
  country: string | null;
  twitterHandle: string | null;
  webPushSubscriptions: WebPushSubscription[];
  mobileDevices: MobileDevice[];
  fields: Record<string, unknown>;
  preferredChannel: Channel | null;
  rules: Partial<Record<Channel, RuleRecord>>;
  dnc: DncRecord[];
  dateAdded: Date;
  dateModified: Date;
}

/**
 * What deciding reads of a contact (ContactsRepository.lockForDecision): no timestamps, and of each
 * do-not-contact entry its channel and reason. A ContactRecord is one too.
 */
export type DecisionContact = Omit<ContactRecord, 'dateAdded' | 'dateModified' | 'dnc'> & {
  dnc: Pick<DncRecord, 'channel' | 'reason'>[];
};

export type UpsertMode = 'replace' | 'merge';

const SCALARS = [
  'email',
  'mobile',
  'firstname',
  'lastname',
  'locale',
  'timezone',
  'country',
  'preferredChannel',
] as const;

export function blankContact(id: string, now = new Date()): ContactRecord {
  return {
    id,
    email: null,
    mobile: null,
    firstname: null,
    lastname: null,
    locale: null,
    timezone: null,
    country: null,
    twitterHandle: null,
    webPushSubscriptions: [],
    mobileDevices: [],
    fields: {},
    preferredChannel: null,
    rules: {},
    dnc: [],
    dateAdded: now,
    dateModified: now,
  };
}

/**
 * Applies client input to a stored contact. `merge`: given fields change, omitted ones stay, null
 * clears; custom fields and each channel's rule merge key by key. `replace`: the input is the whole
 * contact (omitted = cleared). Do-not-contact entries given are appended (one per channel and
 * reason; existing ones stay, in either mode); dateAdded is never touched here. The mobile is
 * normalised to E.164 with the contact's country, else `defaultCountry`, when either is given.
 * Throws a validation DomainError naming the field for inconsistent rules.
 */
export function applyInput(
  base: ContactRecord,
  input: ContactInput,
  mode: UpsertMode,
  defaultCountry?: string,
): ContactRecord {
  const from = mode === 'replace' ? { ...blankContact(base.id, base.dateAdded), dnc: base.dnc } : base;
  const next: ContactRecord = { ...from, rules: { ...from.rules }, dnc: [...from.dnc], dateModified: new Date() };
  for (const key of SCALARS) {
    const value = input[key];
    if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;
  }
  if (next.mobile !== null && (input.mobile !== undefined || input.country !== undefined))
    next.mobile = next.mobile ? normalizeMobile(next.mobile, next.country ?? defaultCountry).mobile : null;
  for (const entry of input.doNotContact ?? []) {
    const reason = entry.reason ?? 3;
    if (next.dnc.some((d) => d.channel === entry.channel && d.reason === reason)) continue;
    next.dnc.push({
      channel: entry.channel,
      reason,
      comments: entry.comments ?? null,
      source: null,
      dateAdded: next.dateModified,
    });
  }
  if (input.twitterHandle !== undefined) next.twitterHandle = input.twitterHandle?.replace(/^@/, '') ?? null;
  if (input.webPushSubscriptions) next.webPushSubscriptions = dedupeBy(input.webPushSubscriptions, (s) => s.endpoint);
  if (input.mobileDevices) next.mobileDevices = dedupeBy(input.mobileDevices, (d) => d.token);
  if (input.fields) next.fields = { ...from.fields, ...input.fields };

  const details: ErrorDetails = {};
  for (const channel of CHANNELS) {
    const given = input.frequencyRules?.[channel];
    if (!given) continue;
    const prior = next.rules[channel];
    const pick = <K extends keyof RuleRecord>(key: K, value: RuleRecord[K] | undefined): RuleRecord[K] =>
      value !== undefined ? value : (prior?.[key] ?? null);
    const rule: RuleRecord = {
      frequencyNumber: pick('frequencyNumber', given.frequencyNumber),
      frequencyTime: pick('frequencyTime', given.frequencyTime),
      pauseFrom: pick('pauseFrom', given.pauseFrom === undefined ? undefined : parseBound(given.pauseFrom, 'from')),
      pauseTo: pick('pauseTo', given.pauseTo === undefined ? undefined : parseBound(given.pauseTo, 'to')),
    };
    const path = `frequencyRules.${channel}`;
    if (rule.frequencyNumber !== null && rule.frequencyTime === null)
      details[`${path}.frequencyTime`] = ['A value is required.'];
    if (rule.frequencyTime !== null && rule.frequencyNumber === null)
      details[`${path}.frequencyNumber`] = ['A value is required.'];
    if (rule.pauseFrom && rule.pauseTo && rule.pauseFrom >= rule.pauseTo)
      details[`${path}.pauseTo`] = ['The pause must end after it starts.'];
    if (Object.values(rule).every((v) => v === null)) delete next.rules[channel];
    else next.rules[channel] = rule;
  }
  if (Object.keys(details).length) throw DomainError.validation(details);
  return next;
}

/** A date-only pause bound covers its whole day (UTC): `pauseTo: 2026-12-24` pauses through the 24th. */
function parseBound(value: string | null, bound: 'from' | 'to'): Date | null {
  if (value === null) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = new Date(`${value}T00:00:00.000Z`);
    return bound === 'to' ? new Date(day.getTime() + 86_400_000) : day;
  }
  return new Date(value);
}

function dedupeBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

export function toContact(r: ContactRecord): Contact {
  const frequencyRules: Contact['frequencyRules'] = {};
  for (const channel of CHANNELS) {
    const rule = r.rules[channel];
    if (!rule) continue;
    frequencyRules[channel] = {
      frequencyNumber: rule.frequencyNumber,
      frequencyTime: rule.frequencyTime,
      pauseFrom: rule.pauseFrom?.toISOString() ?? null,
      pauseTo: rule.pauseTo?.toISOString() ?? null,
    };
  }
  return {
    id: r.id,
    email: r.email,
    mobile: r.mobile,
    firstname: r.firstname,
    lastname: r.lastname,
    locale: r.locale,
    timezone: r.timezone,
    country: r.country,
    twitterHandle: r.twitterHandle,
    webPushSubscriptions: r.webPushSubscriptions,
    mobileDevices: r.mobileDevices,
    fields: r.fields,
    preferredChannel: r.preferredChannel,
    frequencyRules,
    doNotContact: r.dnc.map((d) => ({
      channel: d.channel,
      reason: d.reason,
      comments: d.comments,
      dateAdded: d.dateAdded.toISOString(),
    })),
    dateAdded: r.dateAdded.toISOString(),
    dateModified: r.dateModified.toISOString(),
  };
}
