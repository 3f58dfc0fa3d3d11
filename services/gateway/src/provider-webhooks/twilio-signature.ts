import { timingSafeEqual } from 'node:crypto';
import { twilioSignature } from '@switchboard/contracts';

/** A status callback's `X-Twilio-Signature`, compared in constant time. */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: URLSearchParams,
  signature: string | undefined,
): boolean {
  if (!signature) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
