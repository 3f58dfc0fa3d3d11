import { connect, type NatsConnection } from '@nats-io/transport-node';
import { preferencesContactsUpsert, type CatalogChanged } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SubjectRecorder } from '@switchboard/testing';
import { ChannelRegistry } from '../src/channels/channel-registry';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

/** What a field holds once a PUT leaves it out (null unless it has a default). */
const CLEARED: Record<string, unknown> = {
  mobile: false,
  emailType: 'template',
  lists: [],
  variants: [],
  dynamicContent: [],
};

const AUDIT = [
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
  'language',
];
const TAIL = ['publishUp', 'publishDown', 'category'];

const TYPES = [
  {
    path: 'emails',
    item: 'email',
    create: {
      name: 'Welcome',
      subject: 'Hi {{ contact.firstname }}',
      customHtml: '<p>Hi {{ contact.firstname | default: "there" }}</p>',
      fromAddress: 'news@example.com',
    },
    keys: [
      'subject',
      'customHtml',
      'plainText',
      'fromAddress',
      'fromName',
      'replyToAddress',
      'templateId',
      'incentiveId',
      'emailType',
      'lists',
      'variants',
      'dynamicContent',
    ],
    required: 'subject',
    liquid: 'customHtml',
  },
  {
    path: 'smses',
    item: 'sms',
    create: { name: 'Code', message: 'Hi {{ contact.firstname }}', senderId: 'ACME' },
    keys: ['message', 'senderId', 'incentiveId', 'variants'],
    required: 'message',
    liquid: 'message',
  },
  {
    path: 'notifications',
    item: 'notification',
    create: {
      name: 'Push',
      heading: 'Hey',
      message: 'Sale on',
      url: 'https://example.com/{{ contact.id }}',
      mobile: true,
    },
    keys: ['heading', 'message', 'url', 'icon', 'mobile', 'incentiveId', 'variants'],
    required: 'heading',
    alsoRequired: { message: 'Only this too' },
    liquid: 'message',
  },
  {
    path: 'tweets',
    item: 'tweet',
    create: { name: 'Tweet', text: 'Hello {{ contact.twitterHandle }}' },
    keys: ['text', 'incentiveId', 'variants'],
    required: 'text',
    liquid: 'text',
  },
] as const;

describe('channel content, categories, channels and catalog change events', () => {
  let ctx: GatewayTestContext;
  let nc: NatsConnection;
  let changes: SubjectRecorder<CatalogChanged>;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['catalog', 'preferences'] });
    nc = await connect({ servers: ctx.env.natsUrl });
    changes = new SubjectRecorder<CatalogChanged>(nc, [ctx.env.names.subjects.catalogChanged()]);
  });
  afterAll(async () => {
    changes?.stop();
    await nc?.close();
    await ctx?.close();
  });

  describe.each(TYPES)('/api/$path', (t) => {
    it('creates, gets, lists, patches, puts and deletes with the type’s fields in order', async () => {
      const created = await ctx.api('POST', `/api/${t.path}/new`, t.create);
      expect(created.status).toBe(201);
      const item = created.body[t.item];
      expect(Object.keys(item)).toEqual([...AUDIT, ...t.keys, ...TAIL]);
      expect(item).toMatchObject({ ...t.create, isPublished: true, createdByUser: 'admin', description: null });
      expect(created.headers.get('location')).toBe(`/api/${t.path}/${item.id}`);

      expect((await ctx.api('GET', `/api/${t.path}/${item.id}`)).body).toEqual({ [t.item]: item });
      const list = await ctx.api('GET', `/api/${t.path}?search=${encodeURIComponent(t.create.name)}`);
      expect(list.body).toEqual({ total: 1, [t.path]: [item] });

      const patched = await ctx.api('PATCH', `/api/${t.path}/${item.id}/edit`, { name: 'Renamed' });
      expect(patched.status).toBe(200);
      expect(patched.body[t.item]).toMatchObject({ ...t.create, name: 'Renamed' });

      const alsoRequired: Record<string, string> = 'alsoRequired' in t ? t.alsoRequired : {};
      const put = await ctx.api('PUT', `/api/${t.path}/${item.id}/edit`, {
        name: 'Replaced',
        [t.required]: 'Only this',
        ...alsoRequired,
      });
      expect(put.status).toBe(200);
      for (const key of t.keys)
        if (key !== t.required && !(key in alsoRequired)) expect(put.body[t.item][key]).toEqual(CLEARED[key] ?? null);

      const deleted = await ctx.api('DELETE', `/api/${t.path}/${item.id}/delete`);
      expect(deleted.body[t.item]).toMatchObject({ id: null, name: 'Replaced' });
      expect((await ctx.api('GET', `/api/${t.path}/${item.id}`)).status).toBe(404);
    });

    it('rejects a missing required field and a Liquid template that does not parse (400)', async () => {
      const missing = await ctx.api('POST', `/api/${t.path}/new`, { ...t.create, [t.required]: undefined });
      expect(missing.status).toBe(400);
      expect(Object.keys(missing.body.errors[0].details)).toEqual([t.required]);

      const broken = await ctx.api('POST', `/api/${t.path}/new`, {
        ...t.create,
        [t.liquid]: 'Hi {{ contact.firstname ',
      });
      expect(broken.status).toBe(400);
      expect(broken.body.errors[0].message).toMatch(new RegExp(`^${t.liquid}: The template does not parse`));

      const ok = (await ctx.api('POST', `/api/${t.path}/new`, t.create)).body[t.item];
      const patchBroken = await ctx.api('PATCH', `/api/${t.path}/${ok.id}/edit`, { [t.liquid]: '{% if %}' });
      expect(patchBroken.status).toBe(400);
      const patchClears = await ctx.api('PATCH', `/api/${t.path}/${ok.id}/edit`, { [t.required]: null });
      expect(patchClears.status).toBe(400);
    });
  });

  it('renders a preview for sample fields (HTML escaped in HTML fields) and for a stored contact', async () => {
    const email = (await ctx.api('POST', '/api/emails/new', TYPES[0].create)).body.email;
    const sample = await ctx.api('POST', `/api/emails/${email.id}/preview`, { fields: { firstname: '<Ann>' } });
    expect(sample.status).toBe(200);
    expect(sample.body.preview).toEqual({
      subject: 'Hi <Ann>',
      customHtml: '<p>Hi &lt;Ann&gt;</p>',
      plainText: null,
      fromName: null,
    });
    expect((await ctx.api('POST', `/api/emails/${email.id}/preview`, {})).body.preview.customHtml).toBe(
      '<p>Hi there</p>',
    );

    await ctx.gateway.app
      .get(RpcClient)
      .call(preferencesContactsUpsert, { contact: { id: 'c-42', firstname: 'Zoe', twitterHandle: 'zoe' } });
    const sms = (await ctx.api('POST', '/api/smses/new', TYPES[1].create)).body.sms;
    const forContact = await ctx.api('POST', `/api/smses/${sms.id}/preview`, { contactId: 'c-42' });
    expect(forContact.body.preview).toEqual({ message: 'Hi Zoe' });

    expect((await ctx.api('POST', `/api/smses/${sms.id}/preview`, { contactId: 'nobody' })).status).toBe(404);
    expect((await ctx.api('POST', '/api/smses/99999/preview', {})).status).toBe(404);
    expect((await ctx.api('POST', `/api/smses/${sms.id}/preview`, { contactId: 'bad id!' })).status).toBe(400);
  });

  it('announces sb.catalog.message.changed.v1 for messages and content; a content change bumps the messages using it', async () => {
    const email = (await ctx.api('POST', '/api/emails/new', TYPES[0].create)).body.email;
    const message = (
      await ctx.api('POST', '/api/messages/new', {
        name: 'Uses email',
        channels: { email: { channelId: email.id, isEnabled: true } },
      })
    ).body.message;
    await changes.waitForCount(1, (m) => m.data.kind === 'message' && m.data.id === message.id);
    await ctx.api('PATCH', `/api/emails/${email.id}/edit`, { isPublished: false });
    const emailEvents = await changes.waitForCount(2, (m) => m.data.kind === 'email' && m.data.id === email.id);
    expect(emailEvents.map((e) => e.data.version)).toEqual([1, 2]);
    const messageEvents = await changes.waitForCount(2, (m) => m.data.kind === 'message' && m.data.id === message.id);
    expect(messageEvents.map((e) => e.data.version)).toEqual([1, 2]);
    expect(messageEvents[0].headers['Nats-Msg-Id']).toBe(`catalog.message.${message.id}.1`);

    await ctx.api('DELETE', `/api/messages/${message.id}/delete`);
    await changes.waitForCount(3, (m) => m.data.kind === 'message' && m.data.id === message.id);
  });

  it('returns every item of a list too big for one NATS reply', async () => {
    const html = `<p>${'y'.repeat(300_000)}</p>`;
    for (let i = 0; i < 4; i++)
      expect(
        (await ctx.api('POST', '/api/emails/new', { name: `Huge ${i}`, subject: 's', customHtml: html })).status,
      ).toBe(201);
    const all = await ctx.api('GET', '/api/emails?search=Huge&limit=0');
    expect(all.body.total).toBe(4);
    expect(all.body.emails.map((e: any) => e.name)).toEqual(['Huge 0', 'Huge 1', 'Huge 2', 'Huge 3']);
    const three = await ctx.api('GET', '/api/emails?search=Huge&limit=3&start=1');
    expect(three.body.emails.map((e: any) => e.name)).toEqual(['Huge 1', 'Huge 2', 'Huge 3']);
  });

  it('answers a test send with 503 while no sender of the channel runs', async () => {
    const addresses: Record<string, [unknown, string]> = {
      emails: ['qa@example.org', 'email'],
      smses: ['+420777000111', 'sms'],
      notifications: [{ token: 'device-1' }, 'mobile_notification'],
      tweets: ['@qa', 'tweet'],
    };
    for (const type of TYPES) {
      const [address, channel] = addresses[type.path];
      const item = (await ctx.api('POST', `/api/${type.path}/new`, type.create)).body[type.item];
      const res = await ctx.api('POST', `/api/${type.path}/${item.id}/test`, { address });
      expect(res.status).toBe(503);
      expect(res.body.errors[0]).toMatchObject({ code: 503, message: `No ${channel} sender is running.` });
    }
  });

  it('refuses a notification link or icon that is not http(s), such as javascript: or data:', async () => {
    for (const [field, value] of [
      ['url', 'javascript:alert(1)'],
      ['url', ' JavaScript:alert(1)'],
      ['icon', 'data:image/svg+xml,<svg onload=alert(1)>'],
    ] as const) {
      const res = await ctx.api('POST', '/api/notifications/new', {
        name: 'Push',
        heading: 'Hey',
        message: 'x',
        [field]: value,
      });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].message).toBe(`${field}: A URL must start with http:// or https://.`);
    }
    const ok = await ctx.api('POST', '/api/notifications/new', {
      name: 'Push',
      heading: 'Hey',
      message: 'x',
      url: '{{ contact.fields.landing }}',
      icon: 'https://cdn.example.com/i.png',
    });
    expect(ok.status).toBe(201);
    const mautic = await ctx.api('POST', '/api/notifications/new', {
      name: 'Push',
      heading: 'Hey',
      message: 'x',
      url: '{contactfield=website|https://shop.example.com}',
    });
    expect(mautic.status).toBe(201);
  });

  it('CRUDs categories', async () => {
    const created = await ctx.api('POST', '/api/categories/new', { title: 'News <i>letters</i>', description: 'x' });
    expect(created.status).toBe(201);
    expect(created.body.category).toMatchObject({ title: 'News letters', alias: 'news-letters', bundle: 'global' });
    const id = created.body.category.id;
    expect((await ctx.api('PATCH', `/api/categories/${id}/edit`, { color: '00ff00' })).body.category).toMatchObject({
      color: '#00ff00',
      description: 'x',
    });
    expect((await ctx.api('GET', '/api/categories?search=news')).body.total).toBe(1);
    expect((await ctx.api('DELETE', `/api/categories/${id}/delete`)).body.category.id).toBeNull();
    expect((await ctx.api('POST', '/api/categories/new', {})).status).toBe(400);
  });

  it('lists channels: available while a sender is deployed, up while an instance beats', async () => {
    const before = await ctx.api('GET', '/api/channels');
    expect(before.status).toBe(200);
    expect(before.body.channels).toHaveLength(6);
    expect(before.body.channels.find((c: any) => c.channel === 'sms')).toEqual({
      channel: 'sms',
      available: false,
      up: false,
      provider: null,
      status: null,
      instances: 0,
      lastAnnouncedAt: null,
      unavailableReason: 'never announced',
    });

    const { announceChannel, waitFor } = await import('@switchboard/testing');
    announceChannel(nc, ctx.env.names, 'sms', 'deployed', { provider: 'twilio' });
    const beat = (instanceId: string, status: string) =>
      nc.publish(
        ctx.env.names.subjects.channelHeartbeat(),
        JSON.stringify({ channel: 'sms', instanceId, provider: 'twilio', status }),
      );
    beat('sms-1', 'down');
    beat('sms-2', 'up');
    nc.publish(ctx.env.names.subjects.channelHeartbeat(), JSON.stringify({ channel: 'fax', instanceId: 'x' }));
    await nc.flush();
    const sms = await waitFor(async () => {
      const res = await ctx.api('GET', '/api/channels');
      const entry = res.body.channels.find((c: any) => c.channel === 'sms');
      return entry.instances === 2 ? entry : undefined;
    });
    expect(sms).toEqual({
      channel: 'sms',
      available: true,
      up: true,
      provider: 'twilio',
      status: 'up',
      instances: 2,
      lastAnnouncedAt: expect.any(String),
      unavailableReason: null,
    });

    // Every instance silent (crashed, restarting): still deployed, so still available, but not up.
    const registry = ctx.gateway.app.get(ChannelRegistry);
    expect(registry.channels(Date.now() + 16_000).find((c) => c.channel === 'sms')).toMatchObject({
      available: true,
      up: false,
      instances: 0,
    });
    // Silent for longer than CHANNEL_GONE_AFTER (24 h by default): gone.
    expect(registry.channels(Date.now() + 25 * 3_600_000).find((c) => c.channel === 'sms')).toMatchObject({
      available: false,
      unavailableReason: 'silent',
    });

    announceChannel(nc, ctx.env.names, 'sms', 'removed', { provider: 'twilio' });
    await waitFor(async () => {
      const res = await ctx.api('GET', '/api/channels');
      const entry = res.body.channels.find((c: any) => c.channel === 'sms');
      return entry.unavailableReason === 'removed' && !entry.available ? entry : undefined;
    });
  });

  it('documents every route in /api/docs from the validating schemas', async () => {
    const docs = (await ctx.api('GET', '/api/docs', undefined, { auth: null })).body;
    for (const path of [
      '/api/messages',
      '/api/messages/{id}',
      '/api/messages/new',
      '/api/messages/{id}/edit',
      '/api/messages/batch/delete',
      '/api/emails/{id}/preview',
      '/api/smses/{id}/test',
      '/api/inappmessages/{id}/test',
      '/api/messages/{id}/preview',
      '/api/channels',
    ]) {
      expect(docs.paths[path]).toBeDefined();
    }
    expect(Object.keys(docs.paths['/api/messages/{id}/edit']).sort()).toEqual(['patch', 'put']);
    const params = docs.paths['/api/messages'].get.parameters.map((p: any) => p.name);
    expect(params).toEqual(
      expect.arrayContaining([
        'search',
        'start',
        'limit',
        'orderBy',
        'orderByDir',
        'published',
        'publishedOnly',
        'minimal',
        'where',
      ]),
    );
    const body = docs.paths['/api/messages/new'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['name']);
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining(['name', 'description', 'channels', 'publishUp']),
    );
    expect(
      Object.keys(docs.paths['/api/smses/new'].post.requestBody.content['application/json'].schema.properties),
    ).toEqual(expect.arrayContaining(['message', 'senderId']));
  });
});
