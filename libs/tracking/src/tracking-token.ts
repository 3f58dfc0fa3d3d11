import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';
import { z } from 'zod';
import { ChannelSchema } from '@switchboard/contracts';

/** What a tracking link stands for: an open pixel, a click, an unsubscribe/preference page, or an email's web view. */
export const TrackingClaimsSchema = z.object({
  kind: z.enum(['open', 'click', 'unsubscribe', 'webview']),
  dispatchId: z.string(),
  sendId: z.string(),
  messageId: z.number().int(),
  contactId: z.string(),
  channel: ChannelSchema,
  /** The original URL of a click; part of the signed bytes, so it cannot be swapped (no open redirect). */
  url: z.string().optional(),
  campaignId: z.string().optional(),
});
export type TrackingClaims = z.infer<typeof TrackingClaimsSchema>;

const b64 = (text: string) => Buffer.from(text).toString('base64url');

function mac(secret: string, body: string): Hmac {
  return createHmac('sha256', secret).update(body);
}

/** `<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`, keyed by SB_TRACKING_SECRET. */
export function signTrackingToken(secret: string, claims: TrackingClaims): string {
  const body = b64(JSON.stringify(claims));
  return `${body}.${mac(secret, body).digest('base64url')}`;
}

/** The claims of a token signed with `secret`, or undefined for anything forged, altered or malformed. */
export function verifyTrackingToken(secret: string, token: string): TrackingClaims | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
  const body = token.slice(0, dot);
  // The signature's text, not its decoded bytes, must match: base64 decoding ignores padding and a
  // last character's unused bits, so several spellings decode alike, and only the one we issued counts.
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(mac(secret, body).digest('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed = TrackingClaimsSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Where the gateway answers an email's web view (`{{ webview_url }}`), as Mautic does. */
export const WEB_VIEW_PATH = '/email/view';

/** Public URLs of the tracking endpoints (DESIGN §7.6). */
export function trackingUrls(publicUrl: string, secret: string, base: Omit<TrackingClaims, 'kind' | 'url'>) {
  const root = publicUrl.replace(/\/$/, '');
  const clickToken = (url: string) => signTrackingToken(secret, { ...base, kind: 'click', url });
  return {
    openPixel: `${root}/t/o/${signTrackingToken(secret, { ...base, kind: 'open' })}.gif`,
    click: (url: string) => `${root}/t/c/${clickToken(url)}`,
    /** The token of a click on `url` (what a short link stands for). */
    clickToken,
    unsubscribe: `${root}/u/${signTrackingToken(secret, { ...base, kind: 'unsubscribe' })}`,
    /** The email as sent, in a browser (Mautic's `/email/view/{idHash}`). */
    webview: `${root}${WEB_VIEW_PATH}/${signTrackingToken(secret, { ...base, kind: 'webview' })}`,
  };
}

/** The token of a preview's or a test send's links: they track nothing, and the unsubscribe page says so. */
export const SAMPLE_TOKEN = 'sample';

/** The links of a preview or a test send: the click goes straight to its URL. */
export function sampleUrls(publicUrl: string) {
  const root = publicUrl.replace(/\/$/, '');
  return {
    openPixel: `${root}/t/o/${SAMPLE_TOKEN}.gif`,
    click: (url: string) => url,
    unsubscribe: `${root}/u/${SAMPLE_TOKEN}`,
    webview: `${root}${WEB_VIEW_PATH}/${SAMPLE_TOKEN}`,
  };
}

/**
 * The code of a short link (`/s/{code}`) standing for a click token: derived from the token, so a
 * redelivered dispatch gets the same links, and keyed, so codes cannot be guessed from a URL.
 */
export function shortLinkCode(secret: string, clickToken: string): string {
  return mac(secret, `short:${clickToken}`).digest('base64url').slice(0, 10);
}
