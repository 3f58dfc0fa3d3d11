import { z } from 'zod';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export const ContactIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'Contact ids are 1-64 of A-Z a-z 0-9 . _ : -');
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

/** E.164: a leading +, a valid number for its country. */
export const E164Schema = z.string().refine((v) => {
  if (!/^\+[1-9]\d{6,14}$/.test(v)) return false;
  return parsePhoneNumberFromString(v)?.isValid() ?? false;
}, 'A mobile number must be in E.164 format (e.g. +14155550123).');

export const EmailSchema = z.email('A valid email address is required.');
