import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { FailureSwitch } from '../control';
import { Received, type Outbox } from '../outbox';
import {
  DROP_CONNECTION,
  bearerToken,
  isRecord,
  parseJson,
  reply,
  type FakeRequest,
  type FakeResponse,
  type FakeRoute,
} from './http-kit';

/** Firebase Cloud Messaging HTTP v1 plus Google's OAuth 2.0 token endpoint (service-account JWT bearer grant). */
export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The JSON Google hands out for a service account (what `GOOGLE_APPLICATION_CREDENTIALS` points at). */
export interface GoogleServiceAccount {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

export interface FcmMessage {
  /** `projects/{projectId}/messages/{id}` as returned to the client. */
  name: string;
  projectId: string;
  target: { token?: string; topic?: string; condition?: string };
  notification?: { title?: string; body?: string; image?: string };
  data?: Record<string, string>;
  android?: Record<string, unknown>;
  apns?: Record<string, unknown>;
  webpush?: Record<string, unknown>;
  /** The whole `message` object as sent. */
  message: Record<string, unknown>;
  receivedAt: Date;
}

export interface FcmFake {
  projectId: string;
  messages: FcmMessage[];
  received: Received<FcmMessage>;
  control: FailureSwitch;
  route: FakeRoute;
  /** Makes a service account whose JWTs the token endpoint accepts; `tokenUri` is the fake's `/token` URL. */
  createServiceAccount(tokenUri: string): GoogleServiceAccount;
  /** Accepts JWTs of an existing service account (e.g. one saved by an earlier run). */
  registerServiceAccount(account: GoogleServiceAccount): void;
  /** Sends to this device token now fail with 404 UNREGISTERED (so do tokens starting with "unregistered"). */
  unregisterToken(token: string): void;
}

interface Account {
  clientEmail: string;
  keyId: string;
  projectId: string;
  publicKey: KeyObject;
  tokenUri: string;
}

const UNAUTHENTICATED_MESSAGE =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
const MESSAGE_FIELDS = new Set([
  'name',
  'data',
  'notification',
  'android',
  'webpush',
  'apns',
  'fcm_options',
  'token',
  'topic',
  'condition',
]);
const NOTIFICATION_FIELDS = new Set(['title', 'body', 'image']);
const RESERVED_DATA_KEY = /^(from|notification|message_type|google\..*|gcm\..*)$/;

function googleError(
  status: number,
  code: string,
  message: string,
  fcmErrorCode?: string,
  field?: string,
): FakeResponse {
  const details: unknown[] = [];
  if (fcmErrorCode)
    details.push({ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: fcmErrorCode });
  if (field)
    details.push({
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [{ field, description: message }],
    });
  return reply(status, { error: { code: status, message, status: code, ...(details.length ? { details } : {}) } });
}

const invalidArgument = (message: string, field?: string): FakeResponse =>
  googleError(400, 'INVALID_ARGUMENT', message, 'INVALID_ARGUMENT', field);

function oauthError(error: string, description: string): FakeResponse {
  return reply(400, { error, error_description: description });
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  const parsed = parseJson(Buffer.from(segment, 'base64url'));
  return isRecord(parsed) ? parsed : undefined;
}

/** Returns an error message for a bad `message`, or undefined when FCM would accept it. */
function validateMessage(message: Record<string, unknown>): { message: string; field: string } | undefined {
  for (const key of Object.keys(message)) {
    if (!MESSAGE_FIELDS.has(key))
      return {
        message: `Invalid JSON payload received. Unknown name "${key}" at 'message': Cannot find field.`,
        field: `message.${key}`,
      };
  }
  const targets = (['token', 'topic', 'condition'] as const).filter((k) => message[k] !== undefined);
  if (targets.length === 0) return { message: 'Recipient of the message is not set.', field: 'message' };
  if (targets.length > 1)
    return {
      message: `Invalid value at 'message' (oneof field 'target' is already set. Cannot set '${targets[1]}')`,
      field: `message.${targets[1]}`,
    };
  const target = message[targets[0]];
  if (typeof target !== 'string' || !target.trim() || /\s/.test(target)) {
    return targets[0] === 'token'
      ? { message: 'The registration token is not a valid FCM registration token', field: 'message.token' }
      : { message: `Invalid value at 'message.${targets[0]}'`, field: `message.${targets[0]}` };
  }
  if (message.notification !== undefined) {
    if (!isRecord(message.notification))
      return { message: "Invalid value at 'message.notification'", field: 'message.notification' };
    for (const [key, value] of Object.entries(message.notification)) {
      if (!NOTIFICATION_FIELDS.has(key))
        return {
          message: `Invalid JSON payload received. Unknown name "${key}" at 'message.notification': Cannot find field.`,
          field: `message.notification.${key}`,
        };
      if (typeof value !== 'string')
        return {
          message: `Invalid value at 'message.notification.${key}' (TYPE_STRING)`,
          field: `message.notification.${key}`,
        };
    }
  }
  if (message.data !== undefined) {
    if (!isRecord(message.data)) return { message: "Invalid value at 'message.data'", field: 'message.data' };
    for (const [i, [key, value]] of Object.entries(message.data).entries()) {
      if (typeof value !== 'string')
        return {
          message: `Invalid value at 'message.data[${i}].value' (TYPE_STRING), ${JSON.stringify(value)}`,
          field: `message.data[${i}].value`,
        };
      if (RESERVED_DATA_KEY.test(key))
        return { message: `Invalid data payload key: ${key}`, field: `message.data[${i}].key` };
    }
  }
  for (const key of ['android', 'apns', 'webpush', 'fcm_options'] as const) {
    if (message[key] !== undefined && !isRecord(message[key]))
      return { message: `Invalid value at 'message.${key}'`, field: `message.${key}` };
  }
  return undefined;
}

export function createFcmFake(projectId: string, outbox?: Outbox, control = new FailureSwitch()): FcmFake {
  const received = new Received<FcmMessage>();
  const accounts = new Map<string, Account>();
  const accessTokens = new Map<string, { account: Account; expiresAt: number }>();
  const unregistered = new Set<string>();
  outbox?.onCleared(() => received.clear());

  const issueToken = (req: FakeRequest): FakeResponse => {
    const form = new URLSearchParams(req.body.toString('utf8'));
    if (form.get('grant_type') !== JWT_BEARER) {
      return oauthError('unsupported_grant_type', `Invalid grant_type: ${form.get('grant_type') ?? ''}`);
    }
    const assertion = form.get('assertion') ?? '';
    const [headerPart, claimsPart, signaturePart, extra] = assertion.split('.');
    const header = headerPart ? decodeSegment(headerPart) : undefined;
    const claims = claimsPart ? decodeSegment(claimsPart) : undefined;
    if (!header || !claims || signaturePart === undefined || extra !== undefined) {
      return oauthError('invalid_grant', 'Invalid JWT: could not be decoded.');
    }
    const account = typeof claims.iss === 'string' ? accounts.get(claims.iss) : undefined;
    if (!account) return oauthError('invalid_grant', 'Invalid grant: account not found');
    const signed = Buffer.from(`${headerPart}.${claimsPart}`);
    const signatureOk =
      header.alg === 'RS256' &&
      (header.kid === undefined || header.kid === account.keyId) &&
      verify('RSA-SHA256', signed, account.publicKey, Buffer.from(signaturePart, 'base64url'));
    if (!signatureOk) return oauthError('invalid_grant', 'Invalid JWT Signature.');
    if (claims.aud !== account.tokenUri) return oauthError('invalid_grant', 'Invalid JWT: Failed audience check.');
    const now = Math.floor(Date.now() / 1000);
    const { iat, exp } = claims;
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= now - 60 || iat > now + 60 || exp - iat > 3600) {
      return oauthError(
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      );
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(/\s+/) : [];
    if (!scopes.includes(FCM_SCOPE)) {
      return oauthError('invalid_scope', `The scope ${FCM_SCOPE} is required for Firebase Cloud Messaging.`);
    }
    const accessToken = `ya29.${randomBytes(32).toString('base64url')}`;
    accessTokens.set(accessToken, { account, expiresAt: Date.now() + 3600_000 });
    return reply(
      200,
      { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' },
      { 'cache-control': 'no-store' },
    );
  };

  const send = (req: FakeRequest, pathProject: string): FakeResponse => {
    const token = bearerToken(req.headers);
    const grant = token ? accessTokens.get(token) : undefined;
    if (!grant || grant.expiresAt < Date.now()) return googleError(401, 'UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE);
    if (pathProject !== grant.account.projectId) {
      return googleError(
        403,
        'PERMISSION_DENIED',
        `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${pathProject}' (or it may not exist).`,
      );
    }
    const body = parseJson(req.body);
    if (!isRecord(body)) return invalidArgument('Invalid JSON payload received. Expected an object.');
    const unknown = Object.keys(body).find((k) => k !== 'message' && k !== 'validate_only' && k !== 'validateOnly');
    if (unknown)
      return invalidArgument(`Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`, unknown);
    if (!isRecord(body.message)) return invalidArgument('Message must be set.', 'message');
    const message = body.message;
    const invalid = validateMessage(message);
    if (invalid) return invalidArgument(invalid.message, invalid.field);

    const name = `projects/${pathProject}/messages/${randomBytes(8).toString('hex')}`;
    if (body.validate_only === true || body.validateOnly === true)
      return reply(200, { name: `projects/${pathProject}/messages/fake_message_id` });

    const failure = control.take();
    if (failure === 'transient')
      return googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE');
    const deviceToken = typeof message.token === 'string' ? message.token : undefined;
    if (
      failure === 'permanent' ||
      (deviceToken && (unregistered.has(deviceToken) || deviceToken.startsWith('unregistered')))
    ) {
      return googleError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED');
    }
    // FCM's only feedback: the app was uninstalled, so this token is dead now and for every later send.
    if (deviceToken && control.takeFeedback() === 'hard_bounce') {
      unregistered.add(deviceToken);
      return googleError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED');
    }

    const record = received.push({
      name,
      projectId: pathProject,
      target: {
        token: deviceToken,
        topic: message.topic as string | undefined,
        condition: message.condition as string | undefined,
      },
      notification: message.notification as FcmMessage['notification'],
      data: message.data as FcmMessage['data'],
      android: message.android as FcmMessage['android'],
      apns: message.apns as FcmMessage['apns'],
      webpush: message.webpush as FcmMessage['webpush'],
      message,
      receivedAt: new Date(),
    });
    outbox?.add({
      provider: 'fcm',
      to: deviceToken ?? String(message.topic ?? message.condition),
      subject: record.notification?.title,
      body: record.notification?.body ?? JSON.stringify(record.data ?? {}),
      details: { ...record },
    });
    return reply(200, { name });
  };

  const registerServiceAccount = (account: GoogleServiceAccount): void => {
    accounts.set(account.client_email, {
      clientEmail: account.client_email,
      keyId: account.private_key_id,
      projectId: account.project_id,
      publicKey: createPublicKey(account.private_key),
      tokenUri: account.token_uri,
    });
  };

  const route: FakeRoute = (req) => {
    const sendMatch = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(req.path);
    if (!sendMatch && req.path !== '/token') return undefined;
    if (control.down) return DROP_CONNECTION;
    if (req.method !== 'POST') return googleError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
    return sendMatch ? send(req, decodeURIComponent(sendMatch[1])) : issueToken(req);
  };

  return {
    projectId,
    messages: received.items,
    received,
    control,
    route,
    createServiceAccount(tokenUri) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const clientEmail = `firebase-adminsdk-${randomBytes(3).toString('hex').slice(0, 5)}@${projectId}.iam.gserviceaccount.com`;
      const account: GoogleServiceAccount = {
        type: 'service_account',
        project_id: projectId,
        private_key_id: randomBytes(20).toString('hex'),
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        client_email: clientEmail,
        client_id: String(BigInt(`0x${randomBytes(8).toString('hex')}`)),
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: tokenUri,
        auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
        client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
        universe_domain: 'googleapis.com',
      };
      registerServiceAccount(account);
      return account;
    },
    registerServiceAccount,
    unregisterToken: (token) => void unregistered.add(token),
  };
}
