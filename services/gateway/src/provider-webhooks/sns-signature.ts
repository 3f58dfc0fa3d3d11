import { verify } from 'node:crypto';

/** An Amazon SNS HTTP(S) message (what SES's bounce, complaint and delivery notifications arrive in). */
export interface SnsMessage {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  SubscribeURL?: string;
  Token?: string;
}

/** The string SNS signs: the listed keys in this order, each as `Key\nValue\n` (Subject only when present). */
export function snsStringToSign(m: SnsMessage): string {
  const keys =
    m.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys
    .filter((k) => (m as unknown as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${k}\n${String((m as unknown as Record<string, unknown>)[k])}\n`)
    .join('');
}

/** SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA, with the certificate at SigningCertURL. */
export function verifySnsSignature(m: SnsMessage, certPem: string): boolean {
  const algorithm = m.SignatureVersion === '2' ? 'sha256' : m.SignatureVersion === '1' ? 'sha1' : undefined;
  if (!algorithm) return false;
  try {
    return verify(algorithm, Buffer.from(snsStringToSign(m), 'utf8'), certPem, Buffer.from(m.Signature, 'base64'));
  } catch {
    return false;
  }
}
