import { startGateway, type GatewayTestContext } from './support/gateway-test';

/** DESIGN §7.7: in-app messages are content like the others, at /api/inappmessages, in Mautic's shapes. */
describe('/api/inappmessages (gateway + catalog)', () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['catalog'] });
  });
  afterAll(() => ctx?.close());

  it('creates, reads, lists, edits and deletes an in-app message, and a message offers it as channel inapp', async () => {
    const created = await ctx.api('POST', '/api/inappmessages/new', {
      name: 'Spring sale',
      title: 'Hi {{ contact.firstname | default: "there" }}',
      body: '<p>Up to <b>50%</b> off</p>',
      url: 'https://shop.example/sale',
      icon: 'https://shop.example/icon.png',
      expiresAfterDays: '14',
    });
    expect(created.status).toBe(201);
    const id = created.body.inappmessage.id as number;
    expect(created.headers.get('location')).toBe(`/api/inappmessages/${id}`);
    expect(created.body.inappmessage).toMatchObject({
      id,
      name: 'Spring sale',
      title: 'Hi {{ contact.firstname | default: "there" }}',
      body: '<p>Up to <b>50%</b> off</p>',
      url: 'https://shop.example/sale',
      icon: 'https://shop.example/icon.png',
      expiresAfterDays: 14,
      isPublished: true,
    });

    const list = await ctx.api('GET', '/api/inappmessages?search=spring');
    expect(list.body).toMatchObject({ total: 1, inappmessages: [expect.objectContaining({ id })] });

    const patched = await ctx.api('PATCH', `/api/inappmessages/${id}/edit`, { expiresAfterDays: null });
    expect(patched.status).toBe(200);
    expect(patched.body.inappmessage).toMatchObject({ expiresAfterDays: null, title: expect.any(String) });

    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'Sale',
      channels: { inapp: { channelId: id, isEnabled: true } },
    });
    expect(message.status).toBe(201);
    expect(message.body.message.channels).toEqual([
      expect.objectContaining({ channel: 'inapp', channelId: id, channelName: 'Spring sale', isEnabled: true }),
    ]);

    const deleted = await ctx.api('DELETE', `/api/inappmessages/${id}/delete`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.inappmessage).toMatchObject({ id: null, name: 'Spring sale' });
    expect((await ctx.api('GET', `/api/inappmessages/${id}`)).status).toBe(404);
  });

  it('refuses a missing title, a script link, a bad expiry and Liquid that does not parse (400, Mautic shape)', async () => {
    const res = await ctx.api('POST', '/api/inappmessages/new', {
      name: 'Bad',
      url: 'javascript:alert(1)',
      expiresAfterDays: 0,
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 400 });
    expect(Object.keys(res.body.errors[0].details).sort()).toEqual(['expiresAfterDays', 'title', 'url']);
    const liquid = await ctx.api('POST', '/api/inappmessages/new', { name: 'Bad', title: 'Hi {{ contact.firstname ' });
    expect(liquid.status).toBe(400);
    expect(liquid.body.errors[0].details).toHaveProperty('title');
  });
});
