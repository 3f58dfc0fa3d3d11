import { catalogItemSave } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { waitFor } from '@switchboard/testing';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

const M_KEYS = [
  'isPublished',
  'dateAdded',
  'dateModified',
  'createdBy',
  'createdByUser',
  'modifiedBy',
  'modifiedByUser',
  'id',
  'name',
  'description',
  'publishUp',
  'publishDown',
  'channels',
  'category',
];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

describe('/api/messages (gateway + catalog, real NATS and PostgreSQL)', () => {
  let ctx: GatewayTestContext;
  let emailId: number;
  let smsId: number;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['catalog'] });
    emailId = (await ctx.api('POST', '/api/emails/new', { name: 'Welcome email', subject: 'Hi' })).body.email.id;
    smsId = (await ctx.api('POST', '/api/smses/new', { name: 'Welcome sms', message: 'Hi' })).body.sms.id;
  });
  afterAll(async () => {
    await ctx?.close();
  });

  const create = (body: unknown) => ctx.api('POST', '/api/messages/new', body);

  it('creates a message: 201, Location, every key in order with its type', async () => {
    const res = await create({
      name: 'Spring sale',
      description: 'All <b>half</b> price',
      publishUp: '2030-03-01 09:00',
      publishDown: '2030-04-01T00:00:00+02:00',
      channels: { email: { channelId: emailId, isEnabled: true }, sms: { channelId: String(smsId), isEnabled: 0 } },
    });
    expect(res.status).toBe(201);
    const m = res.body.message;
    expect(res.headers.get('location')).toBe(`/api/messages/${m.id}`);
    expect(Object.keys(m)).toEqual(M_KEYS);
    expect(m).toEqual({
      isPublished: true,
      dateAdded: expect.stringMatching(ISO_UTC),
      dateModified: null,
      createdBy: expect.any(Number),
      createdByUser: 'admin',
      modifiedBy: null,
      modifiedByUser: null,
      id: expect.any(Number),
      name: 'Spring sale',
      description: 'All <b>half</b> price',
      publishUp: '2030-03-01T09:00:00+00:00',
      publishDown: '2030-03-31T22:00:00+00:00',
      channels: [
        { id: expect.any(Number), channel: 'email', channelId: emailId, channelName: 'Welcome email', isEnabled: true },
        { id: expect.any(Number), channel: 'sms', channelId: smsId, channelName: 'Welcome sms', isEnabled: false },
      ],
      category: null,
    });
    for (const channel of m.channels)
      expect(Object.keys(channel)).toEqual(['id', 'channel', 'channelId', 'channelName', 'isEnabled']);

    const got = await ctx.api('GET', `/api/messages/${m.id}`);
    expect(got.status).toBe(200);
    expect(got.text).toBe(JSON.stringify({ message: m }));
  });

  it('accepts channels as a list, strips HTML from the name and limits HTML in the description', async () => {
    const res = await create({
      name: '<h1>Big</h1> <script>alert(1)</script>news',
      description:
        '<p onclick="x()">Hi <a href="javascript:alert(1)">there</a> <img src=x onerror=y> <a href="https://example.com">link</a></p>',
      channels: [
        { channel: 'tweet', channelId: null, isEnabled: false },
        { channel: 'email', channelId: emailId, isEnabled: true },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.message.name).toBe('Big news');
    expect(res.body.message.description).toBe('<p>Hi <a>there</a>  <a href="https://example.com">link</a></p>');
    expect(res.body.message.channels.map((c: any) => c.channel)).toEqual(['tweet', 'email']);
    expect(res.body.message.channels[0].channelName).toBeNull();
  });

  it('validates input: name required, channelId required when enabled, unknown channel, bad dates — 400 with field: msg', async () => {
    const noName = await create({ description: 'x' });
    expect(noName.status).toBe(400);
    expect(noName.body).toEqual({
      errors: [
        { code: 400, message: 'name: A name is required.', details: { name: ['A name is required.'] }, type: null },
      ],
    });
    expect((await create({ name: '<b></b>' })).body.errors[0].message).toBe('name: A name is required.');

    const noChannelId = await create({ name: 'x', channels: { email: { isEnabled: true } } });
    expect(noChannelId.status).toBe(400);
    expect(noChannelId.body.errors[0]).toEqual({
      code: 400,
      message: 'channels.email.channelId: A value is required.',
      details: { 'channels.email.channelId': ['A value is required.'] },
      type: null,
    });

    const unknown = await create({ name: 'x', channels: { fax: { channelId: 1, isEnabled: true } } });
    expect(unknown.status).toBe(400);
    expect(Object.keys(unknown.body.errors[0].details)).toEqual(['channels.fax']);

    const badDate = await create({ name: 'x', publishUp: 'next tuesday' });
    expect(badDate.status).toBe(400);
    expect(badDate.body.errors[0].message).toMatch(/^publishUp: /);

    const reversed = await create({ name: 'x', publishUp: '2030-01-02 00:00', publishDown: '2030-01-01 00:00' });
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors[0].details.publishDown).toBeDefined();

    const badCategory = await create({ name: 'x', category: 999999 });
    expect(badCategory.status).toBe(400);
    expect(badCategory.body.errors[0].details.category).toEqual(['Category not found.']);

    const twoFields = await create({ isPublished: 'maybe' });
    expect(twoFields.body.errors[0].message).toBe(
      'name: A name is required., isPublished: This value should be a boolean.',
    );
  });

  it('PATCH keeps omitted fields; PUT clears them', async () => {
    const created = (
      await create({
        name: 'Original',
        description: 'Desc',
        isPublished: false,
        publishUp: '2030-01-01 00:00',
        channels: { email: { channelId: emailId, isEnabled: true }, sms: { channelId: smsId, isEnabled: true } },
      })
    ).body.message;

    const patched = await ctx.api('PATCH', `/api/messages/${created.id}/edit`, {
      name: 'Renamed',
      channels: { sms: { isEnabled: false } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.message).toMatchObject({
      id: created.id,
      name: 'Renamed',
      description: 'Desc',
      isPublished: false,
      publishUp: '2030-01-01T00:00:00+00:00',
      modifiedByUser: 'admin',
      dateModified: expect.stringMatching(ISO_UTC),
    });
    expect(patched.body.message.channels).toEqual([
      {
        id: created.channels[0].id,
        channel: 'email',
        channelId: emailId,
        channelName: 'Welcome email',
        isEnabled: true,
      },
      { id: created.channels[1].id, channel: 'sms', channelId: smsId, channelName: 'Welcome sms', isEnabled: false },
    ]);

    const put = await ctx.api('PUT', `/api/messages/${created.id}/edit`, {
      name: 'Replaced',
      channels: { sms: { channelId: smsId, isEnabled: true } },
    });
    expect(put.status).toBe(200);
    expect(put.body.message).toMatchObject({
      id: created.id,
      name: 'Replaced',
      description: null,
      isPublished: true,
      publishUp: null,
      publishDown: null,
      category: null,
      dateAdded: created.dateAdded,
      createdByUser: 'admin',
    });
    expect(put.body.message.channels).toEqual([
      { id: created.channels[1].id, channel: 'sms', channelId: smsId, channelName: 'Welcome sms', isEnabled: true },
    ]);

    const putWithoutName = await ctx.api('PUT', `/api/messages/${created.id}/edit`, { description: 'x' });
    expect(putWithoutName.status).toBe(400);
    const patchEnableWithoutId = await ctx.api('PATCH', `/api/messages/${created.id}/edit`, {
      channels: { tweet: { isEnabled: true } },
    });
    expect(patchEnableWithoutId.status).toBe(400);
    expect(patchEnableWithoutId.body.errors[0].details).toEqual({
      'channels.tweet.channelId': ['A value is required.'],
    });
  });

  it('PATCH of a missing message is a 404; PUT creates it (201)', async () => {
    const patch = await ctx.api('PATCH', '/api/messages/987654/edit', { name: 'x' });
    expect(patch.status).toBe(404);
    expect(patch.body).toEqual({ errors: [{ code: 404, message: 'Item was not found.', details: {}, type: null }] });

    const put = await ctx.api('PUT', '/api/messages/987654/edit', { name: 'Made by PUT' });
    expect(put.status).toBe(201);
    expect(put.body.message.name).toBe('Made by PUT');
    expect(put.headers.get('location')).toBe(`/api/messages/${put.body.message.id}`);
    expect((await ctx.api('GET', `/api/messages/${put.body.message.id}`)).status).toBe(200);
  });

  it('DELETE returns the deleted message with id null; it is gone afterwards', async () => {
    const created = (await create({ name: 'Doomed', channels: { email: { channelId: emailId, isEnabled: true } } }))
      .body.message;
    const deleted = await ctx.api('DELETE', `/api/messages/${created.id}/delete`);
    expect(deleted.status).toBe(200);
    expect(Object.keys(deleted.body.message)).toEqual(M_KEYS);
    expect(deleted.body.message).toEqual({ ...created, id: null });
    expect((await ctx.api('GET', `/api/messages/${created.id}`)).status).toBe(404);
    expect((await ctx.api('DELETE', `/api/messages/${created.id}/delete`)).status).toBe(404);
  });

  it('answers non-numeric ids with 404, and unknown methods with 405', async () => {
    for (const path of ['/api/messages/abc', '/api/messages/1.5', '/api/messages/-1']) {
      const res = await ctx.api('GET', path);
      expect(res.status).toBe(404);
      expect(res.body.errors[0].code).toBe(404);
    }
    expect((await ctx.api('PATCH', '/api/messages/abc/edit', { name: 'x' })).status).toBe(404);
    const wrongMethod = await ctx.api('POST', '/api/messages/1');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.errors[0].code).toBe(405);
    expect((await ctx.api('GET', '/api/messages/1/edit')).status).toBe(405);
  });

  it('needs credentials', async () => {
    const res = await ctx.api('GET', '/api/messages', undefined, { auth: null });
    expect(res.status).toBe(401);
    expect(res.body.errors[0]).toMatchObject({ code: 401, type: null });
    const bad = await ctx.api(
      'POST',
      '/api/messages/new',
      { name: 'x' },
      { auth: `Basic ${Buffer.from('admin:nope').toString('base64')}` },
    );
    expect(bad.status).toBe(401);
  });

  it('sets the category from an id and shows it', async () => {
    const category = await ctx.api('POST', '/api/categories/new', { title: 'Promos', color: 'ff0000' });
    expect(category.status).toBe(201);
    expect(category.body.category).toMatchObject({
      title: 'Promos',
      alias: 'promos',
      color: '#ff0000',
      bundle: 'global',
    });
    const m = await create({ name: 'Categorised', category: category.body.category.id });
    expect(m.body.message.category).toEqual({
      id: category.body.category.id,
      title: 'Promos',
      alias: 'promos',
      description: null,
      color: '#ff0000',
      bundle: 'global',
    });
  });

  it('shows channelName from the content item as it is now', async () => {
    const m = (await create({ name: 'Names', channels: { email: { channelId: emailId, isEnabled: true } } })).body
      .message;
    await ctx.api('PATCH', `/api/emails/${emailId}/edit`, { name: 'Renamed email' });
    const got = await ctx.api('GET', `/api/messages/${m.id}`);
    expect(got.body.message.channels[0].channelName).toBe('Renamed email');
    await ctx.api('PATCH', `/api/emails/${emailId}/edit`, { name: 'Welcome email' });
  });

  it('serves reads from its cache until catalog announces a change made elsewhere', async () => {
    const m = (await create({ name: 'Cached' })).body.message;
    expect((await ctx.api('GET', `/api/messages/${m.id}`)).body.message.name).toBe('Cached');
    expect((await ctx.api('GET', '/api/messages?search=Cached')).body.total).toBe(1);
    // Another gateway instance (or any RPC client) changes it: this one hears sb.catalog.message.changed.v1.
    await ctx.gateway.app.get(RpcClient).call(catalogItemSave, {
      kind: 'message',
      mode: 'patch',
      id: m.id,
      input: { name: 'Changed elsewhere' },
      actor: { id: null, name: 'other' },
    });
    await waitFor(
      async () => (await ctx.api('GET', `/api/messages/${m.id}`)).body.message.name === 'Changed elsewhere',
    );
    await waitFor(async () => (await ctx.api('GET', '/api/messages?search=Changed%20elsewhere')).body.total === 1);
  });
});
