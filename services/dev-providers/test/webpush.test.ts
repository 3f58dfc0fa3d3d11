import { request } from 'node:https';
import webpush, { type PushSubscription } from 'web-push';
import { Outbox } from '../src/outbox';
import { startWebPushFake, type WebPushFake } from '../src/webpush/webpush-fake';

describe('Web Push fake', () => {
  let fake: WebPushFake;
  const outbox = new Outbox();
  const vapid = webpush.generateVAPIDKeys();
  const vapidDetails = {
    subject: 'mailto:ops@switchboard.example',
    publicKey: vapid.publicKey,
    privateKey: vapid.privateKey,
  };
  const payload = { title: 'Flash sale', body: 'Everything −20 % today ✓', url: 'https://shop.example/sale' };

  const sendNotification = (sub: PushSubscription, data: string | null = JSON.stringify(payload)) =>
    webpush.sendNotification(sub, data, { vapidDetails, agent: fake.createAgent(), TTL: 60 });

  /** Sends what web-push would, after letting the test change the headers. */
  function sendRaw(
    sub: PushSubscription,
    edit: (headers: Record<string, string>) => void,
  ): Promise<{ status: number; body: string }> {
    const details = webpush.generateRequestDetails(sub, JSON.stringify(payload), { vapidDetails, TTL: 60 });
    const headers = { ...(details.headers as Record<string, string>) };
    edit(headers);
    return new Promise((resolve, reject) => {
      const req = request(details.endpoint, { method: 'POST', headers, agent: fake.createAgent() }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(details.body);
    });
  }

  beforeAll(async () => {
    fake = await startWebPushFake({ outbox });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.control.reset());

  it('accepts a push from web-push and decrypts the same payload', async () => {
    const sub = fake.createSubscription();
    expect(sub.endpoint).toMatch(new RegExp(`^${fake.origin}/push/`));
    const result = await sendNotification(sub);
    expect(result.statusCode).toBe(201);
    expect(result.headers.location).toMatch(/\/message\//);
    const message = fake.messages.at(-1)!;
    expect(message).toMatchObject({ endpoint: sub.endpoint, payload, ttl: 60, urgency: 'normal' });
    expect(message.vapid).toMatchObject({ subject: vapidDetails.subject, publicKey: vapid.publicKey });
    expect(outbox.list('webpush')[0]).toMatchObject({ to: sub.endpoint, subject: 'Flash sale' });
  });

  it('accepts a push without payload', async () => {
    const sub = fake.createSubscription();
    expect((await sendNotification(sub, null)).statusCode).toBe(201);
    expect(fake.messages.at(-1)).toMatchObject({ endpoint: sub.endpoint, payload: null });
  });

  it('answers 410 Gone for an expired subscription and 404 for one it does not know', async () => {
    const sub = fake.createSubscription();
    fake.expireSubscription(sub.endpoint);
    await expect(sendNotification(sub)).rejects.toMatchObject({ statusCode: 410 });
    await expect(sendNotification({ ...sub, endpoint: `${fake.origin}/push/unknown` })).rejects.toMatchObject({
      statusCode: 404,
    });
    const forgotten = fake.createSubscription();
    fake.forgetSubscription(forgotten.endpoint);
    await expect(sendNotification(forgotten)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('checks the VAPID token before it says anything about the subscription', async () => {
    const sub = fake.createSubscription();
    fake.expireSubscription(sub.endpoint);
    expect((await sendRaw(sub, (h) => delete h.Authorization)).status).toBe(401);
  });

  it('hard_bounce feedback: the next push is answered 410 Gone, and so is every later one to that subscription', async () => {
    const [sub, other] = [fake.createSubscription(), fake.createSubscription()];
    fake.control.feedbackNext(1, 'hard_bounce');
    await expect(sendNotification(sub)).rejects.toMatchObject({ statusCode: 410 });
    expect((await sendNotification(other)).statusCode).toBe(201);
    await expect(sendNotification(sub)).rejects.toMatchObject({ statusCode: 410 });
  });

  it('rejects a missing (401) or tampered (403) VAPID token', async () => {
    const sub = fake.createSubscription();
    expect((await sendRaw(sub, (h) => delete h.Authorization)).status).toBe(401);
    const tampered = await sendRaw(sub, (h) => {
      const [, token, key] = /^vapid t=([^,]+), k=(.+)$/.exec(h.Authorization)!;
      const [header, claims, signature] = token.split('.');
      const forged = {
        ...JSON.parse(Buffer.from(claims, 'base64url').toString()),
        sub: 'mailto:attacker@evil.example',
      };
      h.Authorization = `vapid t=${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}, k=${key}`;
    });
    expect(tampered.status).toBe(403);
    expect(JSON.parse(tampered.body)).toMatchObject({ code: 403, message: expect.stringContaining('signature') });
  });

  it('requires TTL and aes128gcm', async () => {
    const sub = fake.createSubscription();
    expect((await sendRaw(sub, (h) => delete h.TTL)).status).toBe(400);
    expect((await sendRaw(sub, (h) => (h['Content-Encoding'] = 'aesgcm'))).status).toBe(415);
  });

  it('holds a restricted subscription to its application server key', async () => {
    const sub = fake.createSubscription({ applicationServerKey: webpush.generateVAPIDKeys().publicKey });
    await expect(sendNotification(sub)).rejects.toMatchObject({ statusCode: 403 });
  });

  it('fails as told: 503, 410, down', async () => {
    const sub = fake.createSubscription();
    fake.control.failNext(1, 'transient');
    await expect(sendNotification(sub)).rejects.toMatchObject({ statusCode: 503 });
    fake.control.failNext(1, 'permanent');
    await expect(sendNotification(sub)).rejects.toMatchObject({ statusCode: 410 });
    fake.control.setDown(true);
    await expect(sendNotification(sub)).rejects.toMatchObject({ code: 'ECONNRESET' });
    fake.control.setDown(false);
    expect((await sendNotification(sub)).statusCode).toBe(201);
  });
});
