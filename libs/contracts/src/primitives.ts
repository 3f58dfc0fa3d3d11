import { z } from 'zod';
import { countryCode, isE164 } from './phone';

export const CONTACT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
export const ContactIdSchema = z.string().regex(CONTACT_ID_PATTERN, 'Contact ids are 1-64 of A-Z a-z 0-9 . _ : -');
export const IsoDateTimeSchema = z.iso.datetime({ offset: true });
export const IdSchema = z.string().min(1).max(200);
export const PositiveIntSchema = z.number().int().positive();

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const TimeZoneSchema = z.string().refine(isValidTimeZone, 'Unknown time zone.');

/** E.164 by syntax (a +, then 7 to 15 digits); fictional and reserved ranges such as +1 555 are accepted. */
export const E164Schema = z.string().refine(isE164, 'A mobile number must be in E.164 format (e.g. +14155550123).');

/** A country by ISO 3166-1 alpha-2 code or English name, as Mautic's country field takes it. */
export const CountrySchema = z
  .string()
  .trim()
  .max(64)
  .refine((v) => countryCode(v) !== undefined, 'Unknown country: give an ISO 3166 code (CZ) or its English name.');

export const EmailSchema = z.email('A valid email address is required.');
