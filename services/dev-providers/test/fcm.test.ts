import { generateKeyPairSync, sign } from 'node:crypto';
import { startHttpFake, type HttpFake } from '../src/http/http-fake';
import { FCM_SCOPE, type GoogleServiceAccount } from '../src/http/fcm.router';

/** What a sender does: sign a service-account JWT (RS256) and exchange it at token_uri. */
function assertion(
  sa: GoogleServiceAccount,
  overrides: Record<string, unknown> = {},
  privateKey = sa.private_key,
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', kid: sa.private_key_id };
  const claims = { iss: sa.client_email, scope: FCM_SCOPE, aud: sa.token_uri, iat: now, exp: now + 3600, ...overrides };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`;
}

describe('FCM fake', () => {
  let fake: HttpFake;
  let sa: GoogleServiceAccount;
  let accessToken: string;

  const exchange = (jwt: string) =>
    fetch(sa.token_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt }),
    });
  const send = (body: unknown, token = accessToken, project = sa.project_id) =>
    fetch(`${fake.baseUrl}/v1/projects/${project}/messages:send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const message = {
    message: { token: 'device-1', notification: { title: 'Hi', body: 'There' }, data: { campaign: '7' } },
  };

  beforeAll(async () => {
    fake = await startHttpFake({ fcm: { projectId: 'sb-test' } });
    sa = fake.fcm.serviceAccount;
    const res = await exchange(assertion(sa));
    accessToken = ((await res.json()) as { access_token: string }).access_token;
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.controls.reset());

  it('hands out a Google-shaped service account', () => {
    expect(sa).toMatchObject({ type: 'service_account', project_id: 'sb-test', token_uri: `${fake.baseUrl}/token` });
    expect(sa.private_key).toContain('-----BEGIN PRIVATE KEY-----');
    expect(sa.client_email).toMatch(/@sb-test\.iam\.gserviceaccount\.com$/);
  });

  it('exchanges a valid JWT for an access token', async () => {
    const res = await exchange(assertion(sa));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      access_token: expect.stringMatching(/^ya29\./),
      expires_in: 3599,
      token_type: 'Bearer',
    });
  });

  it('rejects a JWT signed with another key, for another audience, scope or time', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const bad = await exchange(assertion(sa, {}, other));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    expect(await (await exchange(assertion(sa, { aud: 'https://oauth2.googleapis.com/token' }))).json()).toMatchObject({
      error: 'invalid_grant',
    });
    expect(
      await (await exchange(assertion(sa, { scope: 'https://www.googleapis.com/auth/cloud-platform' }))).json(),
    ).toMatchObject({ error: 'invalid_scope' });
    const past = Math.floor(Date.now() / 1000) - 7200;
    expect(await (await exchange(assertion(sa, { iat: past, exp: past + 3600 }))).json()).toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('accepts a message and records it', async () => {
    const res = await send(message);
    expect(res.status).toBe(200);
    const { name } = (await res.json()) as { name: string };
    expect(name).toMatch(/^projects\/sb-test\/messages\/\w+$/);
    expect(fake.fcm.messages.at(-1)).toMatchObject({
      name,
      target: { token: 'device-1' },
      notification: { title: 'Hi', body: 'There' },
      data: { campaign: '7' },
    });
    expect(fake.outbox.list('fcm')[0]).toMatchObject({ to: 'device-1', subject: 'Hi', body: 'There' });
  });

  it('rejects a missing or unknown access token with UNAUTHENTICATED', async () => {
    const res = await send(message, 'ya29.forged');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
  });

  it('rejects invalid messages with INVALID_ARGUMENT', async () => {
    const noTarget = await send({ message: { notification: { title: 'x' } } });
    expect(noTarget.status).toBe(400);
    expect(await noTarget.json()).toMatchObject({
      error: {
        status: 'INVALID_ARGUMENT',
        message: 'Recipient of the message is not set.',
        details: expect.arrayContaining([expect.objectContaining({ errorCode: 'INVALID_ARGUMENT' })]),
      },
    });
    expect((await send({ message: { token: 't', data: { n: 1 } } })).status).toBe(400);
    expect((await send({ message: { token: 't', bogus: true } })).status).toBe(400);
  });

  it('answers 404 UNREGISTERED for an unregistered token', async () => {
    fake.fcm.unregisterToken('gone-device');
    const res = await send({ message: { ...message.message, token: 'gone-device' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        code: 404,
        message: 'Requested entity was not found.',
        status: 'NOT_FOUND',
        details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }],
      },
    });
  });

  it('hard_bounce feedback: the next device is answered UNREGISTERED, and so is every later send to it', async () => {
    fake.fcm.control.feedbackNext(1, 'hard_bounce');
    const gone = await send({ message: { ...message.message, token: 'uninstalled-device' } });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { details: [{ errorCode: 'UNREGISTERED' }] } });
    expect((await send(message)).status).toBe(200);
    expect((await send({ message: { ...message.message, token: 'uninstalled-device' } })).status).toBe(404);
  });

  it('fails as told: UNAVAILABLE, UNREGISTERED, down', async () => {
    fake.fcm.control.failNext(1, 'transient');
    const transient = await send(message);
    expect(transient.status).toBe(503);
    expect(await transient.json()).toMatchObject({
      error: { status: 'UNAVAILABLE', details: [{ errorCode: 'UNAVAILABLE' }] },
    });
    fake.fcm.control.failNext(1, 'permanent');
    expect((await send(message)).status).toBe(404);
    fake.fcm.control.setDown(true);
    await expect(send(message)).rejects.toThrow(/fetch failed/);
    fake.fcm.control.setDown(false);
    expect((await send(message)).status).toBe(200);
  });
});
