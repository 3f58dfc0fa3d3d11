import { sampleUrls, signTrackingToken, trackingUrls, type TrackingClaims } from '@switchboard/tracking';
import { preferencesContactsGet, preferencesContactsUpsert, preferencesDncRemove } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SubjectRecorder, waitFor, waitUntilConsumersIdle } from '@switchboard/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

const base = (contactId: string, dispatchId: string): Omit<TrackingClaims, 'kind' | 'url'> => ({
  dispatchId,
  sendId: `send-${dispatchId}`,
  messageId: 42,
  contactId,
  channel: 'email',
  campaignId: 'camp-7',
});

/** Re-signs nothing: swaps the claims of a token and keeps its signature (what a forger can do). */
function tamper(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [body, sig] = token.split('.');
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(claims);
  return `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
}

const tokenOf = (url: string) =>
  url
    .split('/')
    .pop()!
    .replace(/\.gif$/, '');

describe('gateway: tracking, unsubscribe, deliveries, stats and webhooks', () => {
  let ctx: GatewayTestContext;
  let rpc: RpcClient;
  let nc: NatsConnection;
  let deliveryEvents: SubjectRecorder;
  let secret: string;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['preferences', 'tracker'] });
    rpc = ctx.gateway.app.get(RpcClient);
    secret = ctx.config.tracking.secret!;
    nc = await connect({ servers: ctx.env.natsUrl });
    deliveryEvents = new SubjectRecorder(nc, [ctx.env.names.subjects.delivery('*', '*')]);
    for (const [id, email] of [
      ['ada', 'ada@example.com'],
      ['bob', 'bob@example.com'],
    ]) {
      await rpc.call(preferencesContactsUpsert, {
        contact: { id, email, firstname: id },
        mode: 'merge',
        mustExist: false,
      });
    }
  });

  afterAll(async () => {
    deliveryEvents?.stop();
    await nc?.close();
    await ctx?.close();
  });

  const stats = async () => {
    const res = await ctx.api('GET', '/api/messages/42/stats');
    return res.status === 200 ? res.body.stats : undefined;
  };

  it('counts two opens by one contact as two opens and one unique open, and redirects a click to its signed URL', async () => {
    const urls = trackingUrls(ctx.baseUrl, secret, base('ada', 'd-ada'));
    // Link checkers' HEAD requests answer like a GET but count for nothing.
    expect((await fetch(urls.openPixel, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(urls.click('https://example.com/'), { method: 'HEAD', redirect: 'manual' })).status).toBe(302);
    const first = await fetch(urls.openPixel);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/gif');
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(
      Buffer.from(await first.arrayBuffer())
        .subarray(0, 6)
        .toString(),
    ).toBe('GIF89a');
    // Requests within one second are one open (a client or proxy fetching twice); a later one is another open.
    const second = Math.floor(Date.now() / 1000);
    await waitFor(() => Math.floor(Date.now() / 1000) > second, { intervalMs: 50 });
    expect((await fetch(urls.openPixel)).status).toBe(200);

    const target = 'https://example.com/offer?utm=x&y=1#top';
    const click = await fetch(urls.click(target), { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(target);

    const s = await waitFor(async () => {
      const current = await stats();
      return current?.total.clicked === 1 && current.total.opened === 2 && current;
    });
    expect(s.channels.email).toMatchObject({ opened: 2, uniqueOpened: 1, clicked: 1, uniqueClicked: 1 });
    const clicked = deliveryEvents.messages.find((m) => m.data.event === 'clicked');
    expect(clicked?.data).toMatchObject({
      url: target,
      contactId: 'ada',
      dispatchId: 'd-ada',
      messageId: 42,
      campaignId: 'camp-7',
    });
    expect(clicked?.headers['Nats-Msg-Id']).toMatch(/^tracking:clicked:d-ada:/);
  });

  it('answers a forged, altered or misused token with 404 and changes nothing', async () => {
    const urls = trackingUrls(ctx.baseUrl, secret, base('ada', 'd-forge'));
    const eventsBefore = deliveryEvents.messages.length;
    const open = tokenOf(urls.openPixel);
    const click = tokenOf(urls.click('https://example.com/'));
    const unsub = tokenOf(urls.unsubscribe);
    const foreign = signTrackingToken('another-secret-entirely', { ...base('ada', 'd-forge'), kind: 'unsubscribe' });
    const attempts: [string, string, string?][] = [
      ['GET', `/t/o/${tamper(open, (c) => (c.contactId = 'bob'))}.gif`],
      ['GET', `/t/o/${open.slice(0, -2)}xx.gif`],
      ['GET', `/t/o/${open}`],
      ['GET', `/t/o/${click}.gif`],
      ['GET', `/t/c/${tamper(click, (c) => (c.url = 'https://evil.example/'))}`],
      ['GET', `/t/c/${open}`],
      [
        'GET',
        `/t/c/${signTrackingToken(secret, { ...base('ada', 'd-forge'), kind: 'click', url: 'javascript:alert(1)' })}`,
      ],
      ['GET', '/t/c/not-a-token'],
      ['GET', `/u/${tamper(unsub, (c) => (c.contactId = 'bob'))}`],
      ['GET', `/u/${foreign}`],
      ['POST', `/u/${tamper(unsub, (c) => (c.channel = 'sms'))}`, 'List-Unsubscribe=One-Click'],
      ['POST', `/u/${foreign}`, 'List-Unsubscribe=One-Click'],
      ['POST', `/u/${click}`, 'List-Unsubscribe=One-Click'],
      ['POST', `/u/${foreign}`, 'preferredChannel=sms&channels[email][shown]=1'],
    ];
    for (const [method, path, body] of attempts) {
      const res = await fetch(`${ctx.baseUrl}${path}`, {
        method,
        body,
        redirect: 'manual',
        headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      });
      expect({ path, status: res.status, location: res.headers.get('location') }).toEqual({
        path,
        status: 404,
        location: null,
      });
    }
    // A real open published after the forgeries shows they published nothing.
    await fetch(urls.openPixel);
    await waitFor(() => deliveryEvents.messages.length > eventsBefore);
    expect(deliveryEvents.messages.slice(eventsBefore).map((m) => [m.data.event, m.data.dispatchId])).toEqual([
      ['opened', 'd-forge'],
    ]);
    for (const id of ['ada', 'bob']) {
      const contact = await rpc.call(preferencesContactsGet, { id });
      expect({ id, dnc: contact.doNotContact, preferred: contact.preferredChannel }).toEqual({
        id,
        dnc: [],
        preferred: null,
      });
    }
  });

  it('accepts a token only as issued: a changed last character or a trailing = is a 404 (issue #23 point 6)', async () => {
    // Its own message and campaign, so the deliveries and stats the other tests count stay as they are.
    const urls = trackingUrls(ctx.baseUrl, secret, {
      ...base('cara', 'd-canonical'),
      messageId: 4242,
      campaignId: 'camp-canonical',
    });
    const click = tokenOf(urls.click('https://example.com/canonical'));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // Flipping the lowest bit of the last character leaves the decoded signature the same.
    const respelled = `${click.slice(0, -1)}${alphabet[alphabet.indexOf(click.slice(-1)) ^ 1]}`;
    const eventsBefore = deliveryEvents.messages.length;
    for (const path of [
      `/t/c/${respelled}`,
      `/t/c/${click}=`,
      `/t/o/${click}=.gif`,
      `/u/${tokenOf(urls.unsubscribe)}=`,
    ]) {
      const res = await fetch(`${ctx.baseUrl}${path}`, { redirect: 'manual' });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    const real = await fetch(`${ctx.baseUrl}/t/c/${click}`, { redirect: 'manual' });
    expect([real.status, real.headers.get('location')]).toEqual([302, 'https://example.com/canonical']);
    await waitFor(() => deliveryEvents.messages.length > eventsBefore);
    expect(deliveryEvents.messages.slice(eventsBefore).map((m) => [m.data.event, m.data.dispatchId])).toEqual([
      ['clicked', 'd-canonical'],
    ]);
  });

  it('answers the sample links of tests and previews with a pixel and a page that says so, recording nothing', async () => {
    const eventsBefore = deliveryEvents.messages.length;
    const links = sampleUrls(ctx.baseUrl);
    const pixel = await fetch(links.openPixel);
    expect([pixel.status, pixel.headers.get('content-type')]).toEqual([200, 'image/gif']);
    for (const init of [
      {},
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      },
    ]) {
      const page = await fetch(links.unsubscribe, init);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('This is a test or a preview');
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deliveryEvents.messages.length).toBe(eventsBefore);
  });

  it('unsubscribes with RFC 8058 one-click (urlencoded or multipart), once per dispatch', async () => {
    const urls = trackingUrls(ctx.baseUrl, secret, base('bob', 'd-bob'));
    const oneClick = await fetch(urls.unsubscribe, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.text()).toContain('You are unsubscribed');
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const multipart = await fetch(urls.unsubscribe, { method: 'POST', body: form, redirect: 'manual' });
    expect(multipart.status).toBe(200);
    expect(await multipart.text()).toContain('You are unsubscribed');
    // Any other body is not an unsubscribe, and is not taken for the preference form either.
    const other = await fetch(urls.unsubscribe, {
      method: 'POST',
      body: 'List-Unsubscribe=Maybe',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(other.status).toBe(400);

    await waitFor(async () => (await rpc.call(preferencesContactsGet, { id: 'bob' })).doNotContact.length === 1);
    expect((await rpc.call(preferencesContactsGet, { id: 'bob' })).doNotContact).toEqual([
      expect.objectContaining({ channel: 'email', reason: 1 }),
    ]);
    const s = await waitFor(async () => {
      const current = await stats();
      return current?.total.unsubscribed === 1 && current;
    });
    expect(s.channels.email.unsubscribed).toBe(1);
    await waitUntilConsumersIdle(nc, ctx.env.names);
    expect((await stats())!.total.unsubscribed).toBe(1);
  });

  it('lists deliveries by filter with keyset paging, and rejects bad filters', async () => {
    const rows = await waitFor(async () => {
      const res = await ctx.api('GET', '/api/deliveries?messageId=42&limit=1');
      return res.status === 200 && res.body.deliveries.length === 1 && res.body;
    });
    const next = await ctx.api('GET', `/api/deliveries?messageId=42&limit=1&after=${rows.next}`);
    const rest = await ctx.api('GET', `/api/deliveries?messageId=42&limit=10&after=${next.body.next}`);
    const all = [...rows.deliveries, ...next.body.deliveries, ...rest.body.deliveries];
    expect(all.map((d: { sendId: string }) => d.sendId).sort()).toEqual(['send-d-ada', 'send-d-bob', 'send-d-forge']);
    expect(rest.body.next).toBeNull();
    const bob = await ctx.api('GET', '/api/deliveries?contactId=bob&status=unsubscribed&channel=email');
    expect(bob.body.deliveries).toEqual([
      expect.objectContaining({
        sendId: 'send-d-bob',
        status: 'unsubscribed',
        campaignId: 'camp-7',
        contact: { id: 'bob', email: null, name: null },
      }),
    ]);
    const ada = await ctx.api(
      'GET',
      `/api/deliveries?campaignId=camp-7&status=clicked&from=${encodeURIComponent('2000-01-01 00:00')}`,
    );
    expect(ada.body.deliveries.map((d: { sendId: string; opens: number }) => [d.sendId, d.opens])).toEqual([
      ['send-d-ada', 2],
    ]);

    const bad = await ctx.api('GET', '/api/deliveries?limit=0&status=lost&channel=fax&from=yesterday');
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors[0].details).sort()).toEqual(['channel', 'from', 'limit', 'status']);
    expect((await ctx.api('GET', '/api/deliveries?after=bogus')).body.errors[0].message).toBe('after: Invalid cursor.');
    expect((await ctx.api('GET', '/api/deliveries', undefined, { auth: null })).status).toBe(401);
  });

  it('serves campaign stats with a day range', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const res = await ctx.api('GET', `/api/campaigns/camp-7/stats?from=${today}&to=${today}`);
    expect(res.status).toBe(200);
    expect(res.body.stats).toMatchObject({
      campaignId: 'camp-7',
      messageId: null,
      total: { opened: 3, uniqueOpened: 1, unsubscribed: 1 },
    });
    expect(res.body.stats.daily).toEqual([expect.objectContaining({ date: today, channel: 'email', opened: 3 })]);
    expect(
      (await ctx.api('GET', '/api/campaigns/camp-7/stats?from=2000-01-01&to=2000-01-02')).body.stats.total.opened,
    ).toBe(0);
    expect((await ctx.api('GET', '/api/messages/abc/stats')).status).toBe(404);
  });

  it('lists unsubscriptions and shows a re-enrolled contact as no longer active', async () => {
    const list = await ctx.api('GET', '/api/unsubscriptions?search=bob');
    expect(list.body).toEqual({
      total: 1,
      unsubscriptions: [
        expect.objectContaining({
          contact: { id: 'bob', email: null, name: null },
          channel: 'email',
          messageId: 42,
          sendId: 'send-d-bob',
          active: true,
        }),
      ],
    });
    await rpc.call(preferencesDncRemove, { contactId: 'bob', channel: 'email', by: 'admin' });
    const after = await ctx.api('GET', '/api/unsubscriptions');
    expect(after.body.unsubscriptions).toEqual([
      expect.objectContaining({ contact: expect.objectContaining({ id: 'bob' }), active: false }),
    ]);
  });

  it('documents its routes in the OpenAPI document', async () => {
    const docs = await ctx.api('GET', '/api/docs', undefined, { auth: null });
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/deliveries',
        '/api/unsubscriptions',
        '/api/messages/{id}/stats',
        '/api/campaigns/{id}/stats',
        '/api/webhooks',
        '/api/webhooks/new',
        '/api/webhooks/{id}/edit',
        '/t/o/{file}',
        '/t/c/{token}',
        '/u/{token}',
      ]),
    );
    expect(docs.body.paths['/api/deliveries'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([
        'messageId',
        'campaignId',
        'contactId',
        'channel',
        'status',
        'from',
        'to',
        'search',
        'after',
        'limit',
      ]),
    );
  });

  it('lets admins, and only admins, manage webhooks', async () => {
    const created = await ctx.api('POST', '/api/webhooks/new', {
      name: 'CRM',
      webhookUrl: 'https://crm.example.com/hooks/switchboard',
      triggers: ['delivery.*', 'routing.failed'],
      isPublished: 0,
    });
    expect(created.status).toBe(201);
    expect(created.body.webhook).toMatchObject({
      id: expect.any(Number),
      name: 'CRM',
      isPublished: false,
      createdBy: 'admin',
      pending: 0,
    });
    const id = created.body.webhook.id as number;
    expect(
      (await ctx.api('POST', '/api/webhooks/new', { name: '', webhookUrl: 'nope', triggers: ['bogus'] })).body.errors[0]
        .details,
    ).toEqual({
      name: ['A name is required.'],
      webhookUrl: ['A valid http(s) URL is required.'],
      'triggers.0': [expect.any(String)],
    });
    expect((await ctx.api('PATCH', `/api/webhooks/${id}/edit`, { isPublished: true })).body.webhook).toMatchObject({
      name: 'CRM',
      isPublished: true,
    });
    expect((await ctx.api('GET', '/api/webhooks')).body).toMatchObject({
      total: 1,
      webhooks: [expect.objectContaining({ id })],
    });

    const user = await ctx.api('POST', '/api/users/new', {
      username: 'viewer',
      password: 'viewer-password-1',
      isAdmin: false,
    });
    expect(user.status).toBe(201);
    const viewer = `Basic ${Buffer.from('viewer:viewer-password-1').toString('base64')}`;
    expect((await ctx.api('GET', '/api/webhooks', undefined, { auth: viewer })).status).toBe(403);
    expect((await ctx.api('GET', '/api/deliveries?limit=1', undefined, { auth: viewer })).status).toBe(200);

    expect((await ctx.api('DELETE', `/api/webhooks/${id}/delete`)).body.webhook).toMatchObject({
      id: null,
      name: 'CRM',
    });
    expect((await ctx.api('GET', `/api/webhooks/${id}`)).status).toBe(404);
  });
});
