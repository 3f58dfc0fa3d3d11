import { getCountries, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** E.164 by syntax: a +, a country code and at most 15 digits in all. Reserved and fictional ranges (+1 555...) are E.164 too. */
const E164 = /^\+[1-9]\d{6,14}$/;
const SEPARATORS = /[\s().-]/g;

export function isE164(value: string): boolean {
  return E164.test(value);
}

const REGION_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });
/** Names Mautic's country list spells otherwise than CLDR's English names. */
const MAUTIC_NAMES: Record<string, CountryCode> = {
  'czech republic': 'CZ',
  'russian federation': 'RU',
  'republic of korea': 'KR',
  'south korea': 'KR',
  'north korea': 'KP',
  'ivory coast': 'CI',
  'viet nam': 'VN',
  macedonia: 'MK',
  swaziland: 'SZ',
  burma: 'MM',
  'cape verde': 'CV',
  'vatican city': 'VA',
  'east timor': 'TL',
  turkey: 'TR',
};
const BY_NAME = new Map<string, CountryCode>([
  ...getCountries().map((code) => [(REGION_NAMES.of(code) ?? code).toLowerCase(), code] as const),
  ...Object.entries(MAUTIC_NAMES),
]);
const CODES = new Set<string>(getCountries());

/** The ISO 3166-1 alpha-2 code of a country given by code (`cz`, `CZ`) or English name (`Czechia`, `Czech Republic`). */
export function countryCode(value: string | null | undefined): CountryCode | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (v.length === 2 && CODES.has(v.toUpperCase())) return v.toUpperCase() as CountryCode;
  return BY_NAME.get(v.toLowerCase());
}

/**
 * A mobile number as E.164, read with the contact's country for national formats (`0603 123 456`,
 * `(415) 555-0123`); `valid: false` when it cannot be, and then the number is kept as given (so
 * the rest of the contact is never lost; SMS routing treats it as no address). Length, not
 * assignment, decides: test and fictional numbers must stay usable.
 */
export function normalizeMobile(raw: string, country?: string | null): { mobile: string; valid: boolean } {
  const given = raw.trim();
  const compact = given.replace(SEPARATORS, '').replace(/^00/, '+');
  if (isE164(compact)) {
    const parsed = parsePhoneNumberFromString(compact);
    return { mobile: parsed?.isPossible() ? parsed.number : compact, valid: true };
  }
  const parsed = parsePhoneNumberFromString(given, countryCode(country));
  if (parsed?.isPossible() && isE164(parsed.number)) return { mobile: parsed.number, valid: true };
  return { mobile: given, valid: false };
}
