import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** SendGrid's signed event webhook: ECDSA (P-256, SHA-256) over timestamp + raw body; the key is base64 DER (SPKI). */
export function sendgridPublicKey(base64Der: string): KeyObject {
  return createPublicKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'spki' });
}

export function verifySendgridSignature(
  key: KeyObject,
  body: Buffer,
  signature: string | undefined,
  timestamp: string | undefined,
): boolean {
  if (!signature || !timestamp) return false;
  try {
    return verify('sha256', Buffer.concat([Buffer.from(timestamp), body]), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
