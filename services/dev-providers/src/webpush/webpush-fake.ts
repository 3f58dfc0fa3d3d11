import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  hkdfSync,
  randomBytes,
  randomUUID,
  verify,
  type ECDH,
} from 'node:crypto';
import { Agent, createServer } from 'node:https';
import { FailureSwitch } from '../control';
import { Received, type Outbox } from '../outbox';
import {
  DROP_CONNECTION,
  closeServer,
  hostForUrl,
  isRecord,
  listen,
  parseJson,
  reply,
  routeRequests,
  type FakeRequest,
  type FakeResponse,
  type FakeRoute,
} from '../http/http-kit';
import { createServerCertificate, type ServerCertificate } from './self-signed';

/** A Web Push service (RFC 8030) over HTTPS that checks VAPID (RFC 8292) and decrypts aes128gcm payloads (RFC 8291). */
export interface WebPushFakeOptions {
  /** 0 = a random free port. Default 0. */
  port?: number;
  host?: string;
  /** Largest encrypted body accepted; RFC 8030 push services must take at least 4096 bytes. */
  maxPayloadBytes?: number;
  /** Reuse a certificate (e.g. saved by an earlier run) instead of issuing a new CA at startup. */
  certificate?: ServerCertificate;
  outbox?: Outbox;
  control?: FailureSwitch;
}

/** The browser's PushSubscription as JSON: what the application server stores and sends to. */
export interface WebPushSubscription {
  endpoint: string;
  expirationTime: null;
  keys: { p256dh: string; auth: string };
}

export interface WebPushMessage {
  subscriptionId: string;
  endpoint: string;
  /** The decrypted payload, parsed when it is JSON (null for a push without payload). */
  payload: unknown;
  /** The decrypted payload as text. */
  text: string | null;
  ttl: number;
  urgency: string;
  topic: string | null;
  vapid: { subject: string; publicKey: string; expiresAt: number };
  receivedAt: Date;
}

export interface WebPushFake {
  host: string;
  port: number;
  /** `https://host:port`, the `aud` VAPID JWTs must carry. */
  origin: string;
  /** The CA that signed the server certificate: trust it with `new https.Agent({ ca: caPem })`. */
  caPem: string;
  certificate: ServerCertificate;
  /** A new subscription whose private keys the fake keeps; restricted to one VAPID key when `applicationServerKey` is given. */
  createSubscription(options?: { applicationServerKey?: string }): WebPushSubscription;
  /** Later pushes to it get 410 Gone (as when the user unsubscribes). */
  expireSubscription(endpoint: string): void;
  /** The push service no longer knows it: later pushes get 404 Not Found (an expired or invalid subscription). */
  forgetSubscription(endpoint: string): void;
  /** An https.Agent trusting the fake's CA, for `webpush.sendNotification(sub, payload, { agent })`. */
  createAgent(): Agent;
  messages: WebPushMessage[];
  received: Received<WebPushMessage>;
  control: FailureSwitch;
  close(): Promise<void>;
}

interface Subscription {
  id: string;
  endpoint: string;
  ecdh: ECDH;
  publicKey: Buffer;
  auth: Buffer;
  applicationServerKey?: string;
  expired: boolean;
}

const URGENCIES = new Set(['very-low', 'low', 'normal', 'high']);
const MAX_VAPID_LIFETIME_S = 24 * 3600;

const pushError = (status: number, error: string, message: string): FakeResponse =>
  reply(status, { code: status, error, message });

type VapidResult =
  | { ok: true; subject: string; publicKey: string; expiresAt: number }
  | { ok: false; status: 401 | 403; message: string };

/** Checks `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292 §3) for a push to `audience`. */
export function verifyVapid(
  authorization: string | undefined,
  audience: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): VapidResult {
  const scheme = /^vapid\s+(.*)$/i.exec(authorization ?? '');
  if (!scheme) return { ok: false, status: 401, message: 'Missing vapid Authorization header' };
  const params = new Map(
    scheme[1].split(',').map((p) => {
      const eq = p.indexOf('=');
      return [p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim()] as const;
    }),
  );
  const token = params.get('t');
  const key = params.get('k');
  if (!token || !key) return { ok: false, status: 401, message: 'vapid Authorization needs t= and k=' };
  const invalid = (message: string): VapidResult => ({ ok: false, status: 403, message });
  const rawKey = Buffer.from(key, 'base64url');
  if (rawKey.length !== 65 || rawKey[0] !== 0x04) return invalid('k is not an uncompressed P-256 public key');
  const [header, claims, signature, extra] = token.split('.');
  if (!header || !claims || !signature || extra !== undefined) return invalid('t is not a JWS compact serialization');
  const headerJson = parseJson(Buffer.from(header, 'base64url'));
  const claimsJson = parseJson(Buffer.from(claims, 'base64url'));
  if (!isRecord(headerJson) || !isRecord(claimsJson)) return invalid('JWT header or claims are not JSON objects');
  if (headerJson.alg !== 'ES256') return invalid('JWT alg must be ES256');
  let signatureOk = false;
  try {
    const publicKey = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: rawKey.subarray(1, 33).toString('base64url'),
        y: rawKey.subarray(33).toString('base64url'),
      },
      format: 'jwk',
    });
    const sig = Buffer.from(signature, 'base64url');
    signatureOk =
      sig.length === 64 &&
      verify('sha256', Buffer.from(`${header}.${claims}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig);
  } catch {
    return invalid('k is not a point on P-256');
  }
  if (!signatureOk) return invalid('JWT signature does not verify with k');
  const { aud, exp, sub } = claimsJson;
  if (aud !== audience) return invalid(`JWT aud must be ${audience}`);
  if (typeof exp !== 'number' || exp <= nowSeconds) return invalid('JWT has expired');
  if (exp > nowSeconds + MAX_VAPID_LIFETIME_S + 60) return invalid('JWT exp is more than 24 hours away');
  if (typeof sub !== 'string' || !/^(mailto:.+|https:\/\/.+)$/.test(sub))
    return invalid('JWT sub must be a mailto: or https: URI');
  return { ok: true, subject: sub, publicKey: key, expiresAt: exp };
}

/** Decrypts an RFC 8188 aes128gcm body with the user agent's keys, as RFC 8291 §3.4 derives them. */
export function decryptAes128gcm(body: Buffer, ecdh: ECDH, uaPublic: Buffer, authSecret: Buffer): Buffer {
  if (body.length < 21) throw new Error('body shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idLength = body[20];
  const asPublic = body.subarray(21, 21 + idLength);
  if (rs < 18) throw new Error('record size too small');
  if (idLength !== 65) throw new Error('keyid must be the 65-byte application server public key');
  const ecdhSecret = ecdh.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const baseNonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));

  const records = body.subarray(21 + idLength);
  if (records.length === 0) throw new Error('no records');
  const plaintext: Buffer[] = [];
  for (let offset = 0, seqNo = 0; offset < records.length; offset += rs, seqNo++) {
    const record = records.subarray(offset, offset + rs);
    if (record.length <= 16) throw new Error('truncated record');
    const nonce = Buffer.from(baseNonce);
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seqNo) >>> 0, 8);
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end--;
    const last = offset + rs >= records.length;
    if (end < 0 || padded[end] !== (last ? 2 : 1)) throw new Error('bad padding delimiter');
    plaintext.push(padded.subarray(0, end));
  }
  return Buffer.concat(plaintext);
}

export async function startWebPushFake(options: WebPushFakeOptions = {}): Promise<WebPushFake> {
  const host = options.host ?? '127.0.0.1';
  const maxPayload = options.maxPayloadBytes ?? 4096;
  const control = options.control ?? new FailureSwitch();
  const outbox = options.outbox;
  const received = new Received<WebPushMessage>();
  const subscriptions = new Map<string, Subscription>();
  outbox?.onCleared(() => received.clear());
  const certificate =
    options.certificate ?? createServerCertificate([...new Set([host, 'localhost', '127.0.0.1', '::1'])]);
  let origin = '';

  const createSubscription = (opts: { applicationServerKey?: string } = {}): WebPushSubscription => {
    const id = randomBytes(24).toString('base64url');
    const ecdh = createECDH('prime256v1');
    const publicKey = ecdh.generateKeys();
    const auth = randomBytes(16);
    const endpoint = `${origin}/push/${id}`;
    subscriptions.set(id, {
      id,
      endpoint,
      ecdh,
      publicKey,
      auth,
      applicationServerKey: opts.applicationServerKey,
      expired: false,
    });
    return {
      endpoint,
      expirationTime: null,
      keys: { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') },
    };
  };

  const push = (req: FakeRequest, subscription: Subscription | undefined): FakeResponse => {
    // The push service authenticates the sender before it says anything about the subscription.
    const vapid = verifyVapid(req.headers.authorization, origin);
    if (!vapid.ok) return pushError(vapid.status, vapid.status === 401 ? 'Unauthorized' : 'Forbidden', vapid.message);
    if (!subscription) return pushError(404, 'Not Found', 'push subscription not found.');
    if (subscription.expired) return pushError(410, 'Gone', 'push subscription has unsubscribed or expired.');
    if (subscription.applicationServerKey && subscription.applicationServerKey !== vapid.publicKey) {
      return pushError(403, 'Forbidden', 'VAPID key does not match the applicationServerKey of the subscription');
    }
    const ttlHeader = req.headers.ttl;
    if (typeof ttlHeader !== 'string' || !/^\d+$/.test(ttlHeader))
      return pushError(400, 'Bad Request', 'TTL header must be a non-negative integer');
    const urgency = (req.headers.urgency as string | undefined) ?? 'normal';
    if (!URGENCIES.has(urgency)) return pushError(400, 'Bad Request', 'Urgency must be very-low, low, normal or high');
    const topic = (req.headers.topic as string | undefined) ?? null;
    if (topic !== null && !/^[A-Za-z0-9_-]{1,32}$/.test(topic))
      return pushError(400, 'Bad Request', 'Topic must be at most 32 base64url characters');
    if (req.body.length > maxPayload) return pushError(413, 'Payload Too Large', `payload exceeds ${maxPayload} bytes`);
    if (req.body.length > 0 && req.headers['content-encoding'] !== 'aes128gcm') {
      return pushError(415, 'Unsupported Media Type', 'Content-Encoding must be aes128gcm');
    }

    const failure = control.take();
    if (failure === 'transient') return pushError(503, 'Service Unavailable', 'push service temporarily unavailable');
    if (failure === 'permanent') return pushError(410, 'Gone', 'push subscription has unsubscribed or expired.');
    // The only feedback a push service gives: the subscription is gone, now and for every later push.
    if (control.takeFeedback() === 'hard_bounce') {
      subscription.expired = true;
      return pushError(410, 'Gone', 'push subscription has unsubscribed or expired.');
    }

    let text: string | null = null;
    if (req.body.length > 0) {
      try {
        text = decryptAes128gcm(req.body, subscription.ecdh, subscription.publicKey, subscription.auth).toString(
          'utf8',
        );
      } catch (err) {
        return pushError(400, 'Bad Request', `payload could not be decrypted: ${(err as Error).message}`);
      }
    }
    const payload = text === null ? null : (parseJson(Buffer.from(text)) ?? text);
    const message = received.push({
      subscriptionId: subscription.id,
      endpoint: subscription.endpoint,
      payload,
      text,
      ttl: Number(ttlHeader),
      urgency,
      topic,
      vapid: { subject: vapid.subject, publicKey: vapid.publicKey, expiresAt: vapid.expiresAt },
      receivedAt: new Date(),
    });
    const fields = isRecord(payload) ? payload : {};
    outbox?.add({
      provider: 'webpush',
      to: subscription.endpoint,
      from: vapid.subject,
      subject: typeof fields.title === 'string' ? fields.title : undefined,
      body: typeof fields.body === 'string' ? fields.body : (text ?? ''),
      details: { ...message },
    });
    const messageId = randomUUID();
    return reply(201, undefined, { location: `${origin}/message/${messageId}`, ttl: ttlHeader });
  };

  const route: FakeRoute = (req) => {
    if (control.down) return DROP_CONNECTION;
    const pushMatch = /^\/push\/([A-Za-z0-9_-]+)$/.exec(req.path);
    if (pushMatch) {
      if (req.method !== 'POST') return pushError(405, 'Method Not Allowed', 'push with POST');
      return push(req, subscriptions.get(pushMatch[1]));
    }
    // Helpers for tests in another process.
    if (req.path === '/dev/subscriptions' && req.method === 'POST') {
      const body = parseJson(req.body);
      const key =
        isRecord(body) && typeof body.applicationServerKey === 'string' ? body.applicationServerKey : undefined;
      return reply(201, createSubscription({ applicationServerKey: key }));
    }
    const expireMatch = /^\/dev\/subscriptions\/([A-Za-z0-9_-]+)$/.exec(req.path);
    if (expireMatch && req.method === 'DELETE') {
      const subscription = subscriptions.get(expireMatch[1]);
      if (subscription) subscription.expired = true;
      return reply(subscription ? 204 : 404);
    }
    if (req.path === '/health') return reply(200, { status: 'ok' });
    return undefined;
  };

  const server = createServer({ key: certificate.keyPem, cert: certificate.certPem }, routeRequests([route]));
  const port = await listen(server, options.port ?? 0, host);
  origin = `https://${hostForUrl(host)}:${port}`;

  return {
    host,
    port,
    origin,
    caPem: certificate.caPem,
    certificate,
    createSubscription,
    expireSubscription(endpoint) {
      const id = endpoint.slice(endpoint.lastIndexOf('/') + 1);
      const subscription = subscriptions.get(id);
      if (subscription) subscription.expired = true;
    },
    forgetSubscription(endpoint) {
      subscriptions.delete(endpoint.slice(endpoint.lastIndexOf('/') + 1));
    },
    createAgent: () => new Agent({ ca: certificate.caPem }),
    messages: received.items,
    received,
    control,
    close: () => closeServer(server),
  };
}
