import { waitFor } from '@switchboard/testing';
import { DEFAULT_TWILIO, startHttpFake, type HttpFake } from '../../dev-providers/src';
import { startGateway, type GatewayTestContext, channelAvailable } from './support/gateway-test';

const PUBLIC_URL = 'http://public.switchboard.test';
const SHORT_URL = 'http://sb.test';

/**
 * DESIGN §7.2 short links end to end: the links of an SMS arrive at the loopback Twilio as
 * `{SB_SHORT_URL}/s/{code}`; each redirect is a tracked click (the message's statistics) and a
 * click on the link's own count.
 */
describe('short links in SMS (catalog, preferences, router, sender-sms, tracker)', () => {
  let ctx: GatewayTestContext;
  let fake: HttpFake;

  beforeAll(async () => {
    fake = await startHttpFake();
    ctx = await startGateway({
      services: ['catalog', 'preferences', 'router', 'sender-sms', 'tracker'],
      serviceEnv: {
        SMS_PROVIDER: 'twilio',
        TWILIO_BASE_URL: fake.baseUrl,
        TWILIO_ACCOUNT_SID: DEFAULT_TWILIO.accountSid,
        TWILIO_AUTH_TOKEN: DEFAULT_TWILIO.authToken,
        TWILIO_FROM: '+15005550006',
        ROUTER_CHANNEL_WARMUP_MS: '500',
        SB_TRACKING_SECRET: 'short-links-tracking-secret-0123456789',
        SB_PUBLIC_URL: PUBLIC_URL,
        SB_SHORT_URL: SHORT_URL,
      },
    });
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await fake?.close();
  });

  it('rewrites each link to /s/{code}, redirects it, and counts every click on the message and on the link', async () => {
    await ctx.api('PUT', '/api/contacts/sam/edit', { firstname: 'Sam', mobile: '+14155550199' });
    const sms = await ctx.api('POST', '/api/smses/new', {
      name: 'Sale',
      message:
        'Hi {{ contact.firstname }}! Sale: https://shop.example/sale?utm=sms&id={{ contact.id }}. Map: https://maps.example/s/1',
    });
    expect(sms.status).toBe(201);
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'Sale',
      isPublished: true,
      channels: { sms: { channelId: sms.body.sms.id, isEnabled: true } },
    });
    const messageId = message.body.message.id as number;
    await channelAvailable(ctx, 'sms');
    expect((await ctx.api('POST', `/api/messages/${messageId}/contact/sam/send`, {})).status).toBe(202);

    const [text] = await waitFor(() => fake.twilio.messages.length > 0 && fake.twilio.messages, { timeoutMs: 30_000 });
    const short = new RegExp(
      `^Hi Sam! Sale: ${SHORT_URL}/s/([\\w-]{10})\\. Map: ${SHORT_URL}/s/([\\w-]{10})\\nReply STOP to opt out$`,
    );
    expect(text.body).toMatch(short);
    const [, sale, map] = short.exec(text.body)!;
    expect(sale).not.toBe(map);

    const follow = (code: string, method = 'GET') => fetch(`${ctx.baseUrl}/s/${code}`, { method, redirect: 'manual' });
    const first = await follow(sale);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('https://shop.example/sale?utm=sms&id=sam');
    const second = Math.floor(Date.now() / 1000);
    await waitFor(() => Math.floor(Date.now() / 1000) > second, { intervalMs: 50 });
    expect((await follow(sale)).status).toBe(302);
    expect((await follow(map)).headers.get('location')).toBe('https://maps.example/s/1');
    // A HEAD (a link preview) redirects but counts nothing.
    expect((await follow(map, 'HEAD')).status).toBe(302);

    // A code nobody issued, and one that is not a code at all.
    expect((await follow('AAAAAAAAAA')).status).toBe(404);
    const bad = await ctx.api('GET', '/s/not-a-code!', undefined, { auth: null });
    expect(bad.status).toBe(404);
    expect(bad.body.errors[0].code).toBe(404);

    const stats = await waitFor(async () => {
      const res = await ctx.api('GET', `/api/messages/${messageId}/stats`);
      return res.body.stats?.total.clicked === 3 && res.body.stats;
    });
    expect(stats.channels.sms).toMatchObject({ sent: 1, clicked: 3, uniqueClicked: 1 });
    const links = await ctx.api('GET', `/api/messages/${messageId}/shortlinks`);
    expect(links.status).toBe(200);
    expect(links.body.total).toBe(2);
    const byCode = Object.fromEntries(links.body.shortlinks.map((l: { code: string }) => [l.code, l]));
    expect(byCode[sale]).toMatchObject({ url: 'https://shop.example/sale?utm=sms&id=sam', clicks: 2 });
    expect(byCode[map]).toMatchObject({
      url: 'https://maps.example/s/1',
      clicks: 1,
      lastClickedAt: expect.any(String),
    });
  }, 120_000);
});
