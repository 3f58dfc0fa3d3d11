import { createHmac, timingSafeEqual } from 'node:crypto';

/** The local part's prefix of every VERP return path: `bounce+<token>@<SMTP_BOUNCE_DOMAIN>`. */
export const BOUNCE_PREFIX = 'bounce+';

/** 16 hex digits (64 bits) of HMAC keep the local part within RFC 5321's 64 octets for a 32-hex dispatch id. */
const MAC_LENGTH = 16;

function mac(secret: string, dispatchId: string): string {
  return createHmac('sha256', secret).update(`bounce\u0000${dispatchId}`).digest('hex').slice(0, MAC_LENGTH);
}

/** Characters outside `[A-Za-z0-9_-]` become `=XX` (a dot-atom allows `=`), so any dispatch id fits a local part. */
function encodeId(id: string): string {
  return Array.from(Buffer.from(id, 'utf8'))
    .map((b) =>
      /[A-Za-z0-9_-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `=${b.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

function decodeId(encoded: string): string | undefined {
  if (!/^(?:[A-Za-z0-9_-]|=[0-9a-fA-F]{2})+$/.test(encoded)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === '=') {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(encoded.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The signed token of a dispatch's return path: `<dispatch id>.<mac>`, keyed by SB_TRACKING_SECRET. */
export function signBounceToken(secret: string, dispatchId: string): string {
  return `${encodeId(dispatchId)}.${mac(secret, dispatchId)}`;
}

/** The dispatch id of a token signed with `secret`; undefined for anything forged, altered or malformed. */
export function verifyBounceToken(secret: string, token: string): string | undefined {
  const dot = token.lastIndexOf('.');
  if (dot <= 0 || token.length > 512) return undefined;
  const dispatchId = decodeId(token.slice(0, dot));
  if (!dispatchId) return undefined;
  // Some mail systems fold the case of a local part: compare the hex MAC case-insensitively.
  const given = Buffer.from(token.slice(dot + 1).toLowerCase());
  const expected = Buffer.from(mac(secret, dispatchId));
  return given.length === expected.length && timingSafeEqual(given, expected) ? dispatchId : undefined;
}

/** The VERP return path of a dispatch (RFC 5321 MAIL FROM), e.g. `bounce+3f2a…9c.0d4e…@bounces.example.com`. */
export function bounceAddress(secret: string, domain: string, dispatchId: string): string {
  return `${BOUNCE_PREFIX}${signBounceToken(secret, dispatchId)}@${domain}`;
}

/**
 * The dispatch of a VERP address, when its token verifies. `text` may be an address or a whole
 * report: the first signed `bounce+…@` address in it wins (a DSN quotes the original Return-Path).
 */
export function dispatchOfBounceAddress(secret: string, text: string): string | undefined {
  for (const match of text.matchAll(/bounce\+([A-Za-z0-9_=.-]+)@/gi)) {
    const dispatchId = verifyBounceToken(secret, match[1]);
    if (dispatchId) return dispatchId;
  }
  return undefined;
}
