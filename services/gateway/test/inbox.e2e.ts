import { SignJWT } from 'jose';
import { preferencesContactsUpsert } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { waitFor } from '@switchboard/testing';
import { SseClient } from './support/sse-client';
import { startGateway, type GatewayTestContext, channelAvailable } from './support/gateway-test';

const INBOX_SECRET = 'inbox-e2e-secret-0123456789abcdef0123456789';
const TRACKING_SECRET = 'inbox-e2e-tracking-secret-0123456789';
const PUBLIC_URL = 'http://public.switchboard.test';
const key = (secret: string) => new TextEncoder().encode(secret);

async function tokenFor(contactId: string, options: { secret?: string; expiresIn?: string | number } = {}) {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(contactId)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '10m')
    .sign(key(options.secret ?? INBOX_SECRET));
}

/**
 * DESIGN §7.7 end to end on the real NATS and PostgreSQL: sends routed by the router to
 * sender-inapp land in the contacts' inboxes; the /inbox API (HS256 tokens) lists, counts, reads,
 * reads all and archives, each contact only its own; the stream pushes a new message live; reading
 * and following the link are `opened` and `clicked` in the statistics and the deliveries log.
 */
describe('in-app inbox (catalog, preferences, router, sender-inapp, tracker, gateway)', () => {
  let ctx: GatewayTestContext;
  let messageId: number;
  const streams: SseClient[] = [];

  const inbox = (method: string, path: string, token: string | null) =>
    ctx.api(method, path, undefined, { auth: token === null ? null : `Bearer ${token}` });

  beforeAll(async () => {
    ctx = await startGateway({
      services: ['catalog', 'preferences', 'router', 'sender-inapp', 'tracker'],
      serviceEnv: {
        SB_INBOX_SECRET: INBOX_SECRET,
        SB_TRACKING_SECRET: TRACKING_SECRET,
        SB_PUBLIC_URL: PUBLIC_URL,
        ROUTER_CHANNEL_WARMUP_MS: '500',
      },
    });
    const rpc = ctx.gateway.app.get(RpcClient);
    for (const id of ['ann', 'ben'])
      await rpc.call(preferencesContactsUpsert, {
        contact: { id, firstname: id.toUpperCase() },
        mode: 'merge',
        mustExist: false,
      });
    const content = await ctx.api('POST', '/api/inappmessages/new', {
      name: 'Welcome',
      title: 'Welcome {{ contact.firstname }}',
      body: '<p>See <a href="https://shop.example/new">what is new</a></p>',
      url: 'https://shop.example/welcome',
    });
    expect(content.status).toBe(201);
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'Welcome',
      isPublished: true,
      channels: { inapp: { channelId: content.body.inappmessage.id, isEnabled: true } },
    });
    expect(message.status).toBe(201);
    messageId = message.body.message.id;
    await channelAvailable(ctx, 'inapp');
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    await ctx?.close();
  });

  const send = async (contactId: string) => {
    const res = await ctx.api('POST', `/api/messages/${messageId}/contact/${contactId}/send`, {});
    expect(res.status).toBe(202);
    return res.body.sendId as string;
  };

  it('delivers into the inbox through the router, pushes it live, and counts it', async () => {
    const ann = await tokenFor('ann');
    const stream = await SseClient.open(`${ctx.baseUrl}/inbox/stream?token=${encodeURIComponent(ann)}`);
    streams.push(stream);
    expect(stream.status).toBe(200);
    await stream.next((e) => e.event === 'count');

    await send('ann');
    const live = await stream.next<{ id: number; title: string }>((e) => e.event === 'message');
    expect(live).toMatchObject({ title: 'Welcome ANN', readAt: null });
    await stream.next((e) => e.event === 'count' && (e.data as { unread: number }).unread === 1);

    const page = await inbox('GET', '/inbox/messages', ann);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({
      total: 1,
      messages: [expect.objectContaining({ id: live.id, title: 'Welcome ANN' })],
    });
    expect((await inbox('GET', '/inbox/unread-count', ann)).body).toEqual({ unread: 1 });
  });

  it('shows each contact only its own messages: another contact message is a 404', async () => {
    await send('ben');
    const ben = await tokenFor('ben');
    const ann = await tokenFor('ann');
    const bens = await waitFor(
      async () => {
        const res = await inbox('GET', '/inbox/messages', ben);
        return res.body.total === 1 && res.body.messages;
      },
      { timeoutMs: 45_000 },
    );
    expect(bens[0].title).toBe('Welcome BEN');
    const anns = (await inbox('GET', '/inbox/messages', ann)).body.messages as { id: number; title: string }[];
    expect(anns.every((m) => m.title === 'Welcome ANN')).toBe(true);
    expect((await inbox('POST', `/inbox/messages/${bens[0].id}/read`, ann)).status).toBe(404);
    expect((await inbox('POST', `/inbox/messages/${bens[0].id}/archive`, ann)).status).toBe(404);
    expect((await inbox('GET', '/inbox/unread-count', ben)).body).toEqual({ unread: 1 });
  });

  it('refuses a missing, forged, expired, unsigned or wrong-algorithm token with a 401', async () => {
    const forged = await tokenFor('ann', { secret: 'another-secret-0123456789abcdef0123456789' });
    const expired = await tokenFor('ann', { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const [h, p] = (await tokenFor('ann')).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`;
    const hs512 = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject('ann')
      .sign(key(INBOX_SECRET + INBOX_SECRET));
    for (const token of [null, forged, expired, none, hs512, `${h}.${p}.x`, 'garbage']) {
      const res = await inbox('GET', '/inbox/messages', token);
      expect(res.status).toBe(401);
      expect(res.body.errors[0]).toMatchObject({ code: 401 });
    }
    const stream = await SseClient.open(`${ctx.baseUrl}/inbox/stream?token=${forged}`);
    expect(stream.status).toBe(401);
  });

  it('reading is opened and following the link is clicked, in the statistics and the deliveries log', async () => {
    const ann = await tokenFor('ann');
    const [message] = (await inbox('GET', '/inbox/messages', ann)).body.messages;
    const read = await inbox('POST', `/inbox/messages/${message.id}/read`, ann);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ message: { id: message.id, readAt: expect.any(String) }, unread: 0 });
    // A second read changes nothing and is no second open.
    expect((await inbox('POST', `/inbox/messages/${message.id}/read`, ann)).body.message.readAt).toBe(
      read.body.message.readAt,
    );

    const click = await fetch(message.url.replace(PUBLIC_URL, ctx.baseUrl), { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://shop.example/welcome');

    const stats = await waitFor(
      async () => {
        const res = await ctx.api('GET', `/api/messages/${messageId}/stats`);
        const inapp = res.body.stats?.channels?.inapp;
        return inapp?.opened === 1 && inapp.clicked === 1 && inapp.sent === 2 && inapp;
      },
      { timeoutMs: 45_000 },
    );
    expect(stats).toMatchObject({ sent: 2, opened: 1, uniqueOpened: 1, clicked: 1, uniqueClicked: 1 });
    const log = await ctx.api('GET', `/api/deliveries?messageId=${messageId}&contactId=ann`);
    expect(log.body.deliveries).toEqual([
      expect.objectContaining({ channel: 'inapp', opens: 1, clicks: 1, openedAt: expect.any(String) }),
    ]);
  });

  it('reads all and archives', async () => {
    await send('ann');
    await send('ann');
    const ann = await tokenFor('ann');
    await waitFor(async () => (await inbox('GET', '/inbox/unread-count', ann)).body.unread === 2, {
      timeoutMs: 45_000,
    });
    const unreadFirst = await inbox('GET', '/inbox/messages?sort=unread&limit=2', ann);
    expect(unreadFirst.body.total).toBe(3);
    expect(unreadFirst.body.messages.map((m: { readAt: string | null }) => m.readAt)).toEqual([null, null]);
    expect((await inbox('POST', '/inbox/read-all', ann)).body).toEqual({ read: 2, unread: 0 });
    const archived = await inbox('POST', `/inbox/messages/${unreadFirst.body.messages[0].id}/archive`, ann);
    expect(archived.body).toEqual({ archived: true, unread: 0 });
    expect((await inbox('GET', '/inbox/messages', ann)).body.total).toBe(2);
    expect((await inbox('GET', '/inbox/messages?limit=1&start=1', ann)).body.messages).toHaveLength(1);
    expect((await inbox('GET', '/inbox/messages?limit=500', ann)).status).toBe(400);
  });

  it('answers a cross-origin preflight, and serves the widget script', async () => {
    const preflight = await fetch(`${ctx.baseUrl}/inbox/messages`, {
      method: 'OPTIONS',
      headers: { origin: 'https://site.example', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const widget = await fetch(`${ctx.baseUrl}/inbox/widget.js`);
    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toContain('javascript');
    expect(await widget.text()).toContain('SwitchboardInbox');
  });
});
