import { createHmac } from 'node:crypto';

/**
 * Twilio's request signature: base64(HMAC-SHA1(auth token, the full URL Twilio called + every POST
 * parameter's name and value, sorted by name)), sent as `X-Twilio-Signature`. The gateway checks
 * status callbacks with it and the dev providers' Twilio fake signs them with it; the spec pins it
 * to Twilio's own documented example.
 */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const names = [...new Set(params.keys())].sort();
  const data = names.reduce(
    (acc, name) =>
      acc +
      params
        .getAll(name)
        .map((v) => name + v)
        .join(''),
    url,
  );
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}
