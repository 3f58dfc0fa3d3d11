import { z } from 'zod';
import { baseEnv, buildBaseConfig, env, loadConfig, type BaseConfig } from '@switchboard/config';
import { CHANNELS, countryCode, FrequencyTimeSchema, type Channel, type FrequencyTime } from '@switchboard/contracts';

export interface FrequencyLimit {
  frequencyNumber: number;
  frequencyTime: FrequencyTime;
}

/** Local wall-clock window in minutes after midnight; `start > end` wraps past midnight. */
export interface QuietHours {
  startMinute: number;
  endMinute: number;
}

export interface PreferencesConfig extends BaseConfig {
  decisions: {
    /** Per channel; absent = no default limit. */
    defaultFrequency: Partial<Record<Channel, FrequencyLimit>>;
    /** Per channel; absent = no quiet hours. */
    quietHours: Partial<Record<Channel, QuietHours>>;
    maxDeferrals: number;
    /** Decision transactions at once per instance: each holds up to 1,000 advisory locks until it commits. */
    concurrency: number;
  };
  imports: {
    /** How long a worker holds a running import without committing a batch before another may take it over. */
    leaseMs: number;
  };
  /** Soft bounces in a row (no delivery between) that count as a hard one: do-not-contact, reason 2. */
  softBounceLimit: number;
  contacts: {
    /** ISO 3166-1 alpha-2 code that reads national mobile numbers of contacts without a country. */
    defaultCountry?: string;
  };
}

/** `3/DAY`; `0` (or unset) = none. */
const frequencyVar = z
  .string()
  .regex(/^(0|[1-9]\d*\/(DAY|WEEK|MONTH))$/, 'expected N/DAY, N/WEEK or N/MONTH (0 = none)')
  .optional()
  .transform((v): FrequencyLimit | undefined => {
    if (!v || v === '0') return undefined;
    const [n, unit] = v.split('/');
    return { frequencyNumber: Number(n), frequencyTime: FrequencyTimeSchema.parse(unit) };
  });

const HHMM = '([01]\\d|2[0-3]):([0-5]\\d)';
/** `21:00-08:00` in the contact's time zone. */
const quietHoursVar = z
  .string()
  .regex(new RegExp(`^${HHMM}-${HHMM}$`), 'expected HH:MM-HH:MM')
  .refine((v) => v.split('-')[0] !== v.split('-')[1], 'start and end must differ')
  .optional()
  .transform((v): QuietHours | undefined => {
    if (!v) return undefined;
    const [startMinute, endMinute] = v.split('-').map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5)));
    return { startMinute, endMinute };
  });

const frequencyKey = (channel: Channel) => `FREQUENCY_DEFAULT_${channel.toUpperCase()}`;
const quietHoursKey = (channel: Channel) => `QUIET_HOURS_${channel.toUpperCase()}`;

export const preferencesEnv = {
  ...baseEnv,
  MAX_DEFERRALS: env.int(3).pipe(z.number().min(0)),
  DECIDE_CONCURRENCY: env.int(4).pipe(z.number().min(1)),
  IMPORT_LEASE_MS: env.int(30_000).pipe(z.number().min(100)),
  SOFT_BOUNCE_LIMIT: env.int(3).pipe(z.number().min(1)),
  SB_DEFAULT_COUNTRY: env
    .optionalString()
    .refine((v) => v === undefined || countryCode(v) !== undefined, 'expected an ISO 3166 country code such as US')
    .transform((v) => countryCode(v)),
  ...Object.fromEntries(CHANNELS.map((c) => [frequencyKey(c), frequencyVar])),
  ...Object.fromEntries(CHANNELS.map((c) => [quietHoursKey(c), quietHoursVar])),
};

export function loadPreferencesConfig(source: NodeJS.ProcessEnv = process.env): PreferencesConfig {
  return loadConfig(
    preferencesEnv,
    (e) => {
      const vars = e as unknown as Record<string, FrequencyLimit | QuietHours | undefined>;
      const defaultFrequency: PreferencesConfig['decisions']['defaultFrequency'] = {};
      const quietHours: PreferencesConfig['decisions']['quietHours'] = {};
      for (const channel of CHANNELS) {
        const limit = vars[frequencyKey(channel)] as FrequencyLimit | undefined;
        if (limit) defaultFrequency[channel] = limit;
        const quiet = vars[quietHoursKey(channel)] as QuietHours | undefined;
        if (quiet) quietHours[channel] = quiet;
      }
      return {
        ...buildBaseConfig(e),
        decisions: { defaultFrequency, quietHours, maxDeferrals: e.MAX_DEFERRALS, concurrency: e.DECIDE_CONCURRENCY },
        imports: { leaseMs: e.IMPORT_LEASE_MS },
        softBounceLimit: e.SOFT_BOUNCE_LIMIT,
        contacts: { defaultCountry: e.SB_DEFAULT_COUNTRY },
      };
    },
    source,
  );
}
