import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import webpush from 'web-push';
import { inboxList, inboxRead, preferencesContactsUpsert } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { waitFor } from '@switchboard/testing';
import { DEFAULT_TWILIO, DEFAULT_X_TOKEN, startDevProviders, type DevProviders } from '../../dev-providers/src';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

/**
 * DESIGN §7.2 test sends on every channel, end to end: each content type's test goes through the
 * running sender of its channel to the loopback provider (SMTP, Twilio, Web Push, FCM, X) or the
 * contact's inbox; a test is never in the deliveries log, nor is the read of a test in an inbox.
 */
describe('test sends on every channel (gateway, catalog, preferences, tracker, every sender, dev providers)', () => {
  let ctx: GatewayTestContext;
  let dev: DevProviders;
  let dir: string;
  const vapid = webpush.generateVAPIDKeys();

  beforeAll(async () => {
    dev = await startDevProviders();
    dir = mkdtempSync(join(tmpdir(), 'test-sends-'));
    writeFileSync(join(dir, 'ca.pem'), dev.webPush.caPem);
    writeFileSync(join(dir, 'service-account.json'), JSON.stringify(dev.fcm.serviceAccount));
    ctx = await startGateway({
      services: [
        'catalog',
        'preferences',
        'tracker',
        'sender-email',
        'sender-sms',
        'sender-push',
        'sender-tweet',
        'sender-inapp',
      ],
      serviceEnv: {
        SB_TRACKING_SECRET: 'test-sends-tracking-secret-0123456789',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(dev.smtp.port),
        SMS_PROVIDER: 'twilio',
        TWILIO_BASE_URL: dev.httpBaseUrl,
        TWILIO_ACCOUNT_SID: DEFAULT_TWILIO.accountSid,
        TWILIO_AUTH_TOKEN: DEFAULT_TWILIO.authToken,
        TWILIO_FROM: '+15005550006',
        SMS_OPT_OUT_TEXT: 'Text END to quit',
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        VAPID_SUBJECT: 'mailto:ops@switchboard.test',
        WEBPUSH_CA_FILE: join(dir, 'ca.pem'),
        FCM_BASE_URL: dev.httpBaseUrl,
        FCM_SERVICE_ACCOUNT_FILE: join(dir, 'service-account.json'),
        X_BASE_URL: dev.httpBaseUrl,
        X_USER_TOKEN: DEFAULT_X_TOKEN,
        // Every service runs in this one process on a loaded machine.
        SENDER_PROVIDER_TIMEOUT_MS: '60000',
      },
    });
    await ctx.gateway.app.get(RpcClient).call(preferencesContactsUpsert, {
      contact: { id: 'zoe', email: 'zoe@example.org', firstname: 'Zoe' },
      mode: 'merge',
      mustExist: false,
    });
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await dev?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends an email test to the SMTP fake', async () => {
    const email = await ctx.api('POST', '/api/emails/new', {
      name: 'E',
      subject: 'Hi {{ contact.firstname }}',
      customHtml: '<p>Hello</p>',
    });
    const res = await ctx.api('POST', `/api/emails/${email.body.email.id}/test`, {
      address: 'qa@example.org',
      contactId: 'zoe',
    });
    expect(res.status).toBe(200);
    expect(res.body.test).toMatchObject({ address: 'qa@example.org', channel: 'email', provider: 'smtp' });
    const mail = await waitFor(() => dev.smtp.messages.find((m) => m.subject === 'Hi Zoe'));
    expect(mail.to).toEqual(['qa@example.org']);
  });

  it('sends an SMS test to the Twilio fake, {{ optout }} rendered as the opt-out text; a bad number is a 400', async () => {
    const sms = await ctx.api('POST', '/api/smses/new', {
      name: 'S',
      message: 'Hi {{ contact.firstname }}, sale today. {{ optout }}',
      isPublished: false,
    });
    const id = sms.body.sms.id as number;
    const res = await ctx.api('POST', `/api/smses/${id}/test`, {
      address: '+420777000111',
      fields: { firstname: 'Ann' },
    });
    expect(res.status).toBe(200);
    expect(res.body.test).toEqual({
      address: '+420777000111',
      channel: 'sms',
      provider: 'twilio',
      providerMessageId: expect.stringMatching(/^SM/),
    });
    const sent = await waitFor(() => dev.twilio.messages.find((m) => m.to === '+420777000111'));
    expect(sent.body).toBe('Hi Ann, sale today. Text END to quit');
    expect(sent.sid).toBe(res.body.test.providerMessageId);

    const bad = await ctx.api('POST', `/api/smses/${id}/test`, { address: '777 000 111' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].message).toBe('address: A mobile number in E.164 form (+420777000111) is required.');
    expect((await ctx.api('POST', '/api/smses/999999/test', { address: '+420777000111' })).status).toBe(404);
  });

  it('sends a notification test to a browser through the Web Push fake and to a phone through the FCM fake', async () => {
    const notification = await ctx.api('POST', '/api/notifications/new', {
      name: 'N',
      heading: 'Hi {{ contact.firstname }}',
      message: 'Your cart waits',
      url: 'https://shop.example/cart',
    });
    const id = notification.body.notification.id as number;
    const subscription = dev.webPush.createSubscription({ applicationServerKey: vapid.publicKey });
    const web = await ctx.api('POST', `/api/notifications/${id}/test`, {
      address: subscription,
      fields: { firstname: 'Web' },
    });
    expect(web.status).toBe(200);
    expect(web.body.test).toMatchObject({
      channel: 'notification',
      provider: 'webpush',
      address: { endpoint: subscription.endpoint, keys: subscription.keys },
    });
    const pushed = await waitFor(() => dev.webPush.messages.find((m) => m.endpoint === subscription.endpoint));
    expect(pushed.payload).toMatchObject({ title: 'Hi Web', body: 'Your cart waits' });

    const phone = await ctx.api('POST', `/api/notifications/${id}/test`, {
      address: { token: 'fcm-device-token-1', platform: 'android' },
      fields: { firstname: 'Phone' },
    });
    expect(phone.status).toBe(200);
    expect(phone.body.test).toMatchObject({ channel: 'mobile_notification', provider: 'fcm' });
    const fcm = await waitFor(() => dev.fcm.messages.find((m) => m.target.token === 'fcm-device-token-1'));
    expect(fcm.notification).toMatchObject({ title: 'Hi Phone', body: 'Your cart waits' });

    const bad = await ctx.api('POST', `/api/notifications/${id}/test`, { address: 'someone@example.org' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].message).toContain('A web-push subscription');
  });

  it('sends a tweet test mentioning the handle to the X fake', async () => {
    const tweet = await ctx.api('POST', '/api/tweets/new', { name: 'T', text: 'Sale for {{ contact.firstname }}' });
    const res = await ctx.api('POST', `/api/tweets/${tweet.body.tweet.id}/test`, {
      address: '@qa_team',
      fields: { firstname: 'QA' },
    });
    expect(res.status).toBe(200);
    expect(res.body.test).toMatchObject({ address: '@qa_team', channel: 'tweet', provider: 'x' });
    const sent = await waitFor(() => dev.x.tweets.find((t) => t.mentions.includes('@qa_team')));
    expect(sent.text).toBe('@qa_team Sale for QA');
    expect((await ctx.api('POST', `/api/tweets/${tweet.body.tweet.id}/test`, { address: 'not a handle' })).status).toBe(
      400,
    );
  });

  it("puts an in-app test into the named contact's inbox; reading it counts nothing", async () => {
    const inapp = await ctx.api('POST', '/api/inappmessages/new', {
      name: 'I',
      title: 'Hello {{ contact.firstname }}',
      body: '<p>Inside</p>',
    });
    const res = await ctx.api('POST', `/api/inappmessages/${inapp.body.inappmessage.id}/test`, {
      address: 'zoe',
      contactId: 'zoe',
    });
    expect(res.status).toBe(200);
    expect(res.body.test).toMatchObject({ address: 'zoe', channel: 'inapp', provider: 'inbox' });
    const rpc = ctx.gateway.app.get(RpcClient);
    const inbox = await rpc.call(inboxList, {
      contactId: 'zoe',
      query: { start: 0, limit: 20, sort: 'date', unread: false },
    });
    expect(inbox.messages).toEqual([expect.objectContaining({ title: 'Hello Zoe', body: '<p>Inside</p>' })]);
    await rpc.call(inboxRead, { contactId: 'zoe', id: inbox.messages[0].id });
    expect(
      (await ctx.api('POST', `/api/inappmessages/${inapp.body.inappmessage.id}/test`, { address: 'bad id!' })).status,
    ).toBe(400);
  });

  it('records no test send in the deliveries log', async () => {
    // Give a stray event every chance to arrive before looking.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await ctx.api('GET', '/api/deliveries')).body.deliveries).toEqual([]);
  });
});
