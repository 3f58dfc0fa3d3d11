import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_CONNECTION } from '@switchboard/messaging';
import { SubjectRecorder } from '@switchboard/testing';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

const keys = {
  p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
  auth: 'tBHItJI5svbpez7KI4CCXg',
};

/** /api/contacts (DESIGN §7.3) through the gateway and the real preferences service. */
describe('contacts API', () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['preferences'] });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('PUT creates (201, Location), then replaces the whole contact (200)', async () => {
    const created = await ctx.api('PUT', '/api/contacts/crm-42/edit', {
      email: 'ada@example.com',
      firstname: 'Ada',
      timezone: 'Europe/London',
      preferredChannel: 'sms',
      mobile: '+14155550123',
      webPushSubscriptions: [{ endpoint: 'https://push.example.com/s/1', keys }],
      mobileDevices: [{ platform: 'ios', token: 'apns-1' }],
      fields: { plan: 'gold' },
      frequencyRules: {
        email: { frequencyNumber: 3, frequencyTime: 'WEEK', pauseFrom: '2026-12-20', pauseTo: '2026-12-26T00:00:00Z' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/contacts/crm-42');
    expect(created.body.contact).toEqual({
      id: 'crm-42',
      email: 'ada@example.com',
      mobile: '+14155550123',
      firstname: 'Ada',
      lastname: null,
      locale: null,
      timezone: 'Europe/London',
      country: null,
      twitterHandle: null,
      webPushSubscriptions: [{ endpoint: 'https://push.example.com/s/1', keys }],
      mobileDevices: [{ platform: 'ios', token: 'apns-1' }],
      fields: {
        all: {
          id: 'crm-42',
          firstname: 'Ada',
          lastname: null,
          email: 'ada@example.com',
          mobile: '+14155550123',
          country: null,
          timezone: 'Europe/London',
          locale: null,
          twitterHandle: null,
          preferredChannel: 'sms',
          plan: 'gold',
        },
        core: expect.objectContaining({
          firstname: { alias: 'firstname', label: 'First Name', type: 'text', group: 'core', value: 'Ada' },
          plan: { alias: 'plan', label: 'Plan', type: 'text', group: 'core', value: 'gold' },
        }),
      },
      preferredChannel: 'sms',
      frequencyRules: {
        email: {
          frequencyNumber: 3,
          frequencyTime: 'WEEK',
          pauseFrom: '2026-12-20T00:00:00.000Z',
          pauseTo: '2026-12-26T00:00:00.000Z',
        },
      },
      doNotContact: [],
      dateAdded: expect.any(String),
      dateModified: expect.any(String),
      points: 0,
      stage: null,
      owner: null,
      tags: [],
    });
    const replaced = await ctx.api('PUT', '/api/contacts/crm-42/edit', { lastname: 'Lovelace' });
    expect(replaced.status).toBe(200);
    expect(replaced.body.contact).toMatchObject({
      id: 'crm-42',
      email: null,
      firstname: null,
      lastname: 'Lovelace',
      frequencyRules: {},
    });
    expect(replaced.body.contact.fields.all).not.toHaveProperty('plan');
  });

  it('PATCH changes only the given fields, and is a 404 for a missing contact', async () => {
    await ctx.api('PUT', '/api/contacts/patch-1/edit', { email: 'p@example.com', firstname: 'Pat', fields: { a: 1 } });
    const patched = await ctx.api('PATCH', '/api/contacts/patch-1/edit', { firstname: 'Patricia', fields: { b: 2 } });
    expect(patched.status).toBe(200);
    expect(patched.body.contact).toMatchObject({
      email: 'p@example.com',
      firstname: 'Patricia',
      fields: { all: { a: 1, b: 2 } },
    });
    const missing = await ctx.api('PATCH', '/api/contacts/nobody/edit', { firstname: 'X' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ errors: [{ code: 404, message: 'Item was not found.', details: {}, type: null }] });
    expect((await ctx.api('GET', '/api/contacts/nobody')).status).toBe(404);
  });

  it('POST /new creates with a generated id or the given one; an existing id is updated (200)', async () => {
    const generated = await ctx.api('POST', '/api/contacts/new', { email: 'gen@example.com' });
    expect(generated.status).toBe(201);
    expect(generated.headers.get('location')).toBe(`/api/contacts/${generated.body.contact.id}`);
    const given = await ctx.api('POST', '/api/contacts/new', { id: 'given-1', email: 'given@example.com' });
    expect(given.status).toBe(201);
    expect(given.body.contact.id).toBe('given-1');
    const again = await ctx.api('POST', '/api/contacts/new', { id: 'given-1', firstname: 'G' });
    expect(again.status).toBe(200);
    expect(again.body.contact).toMatchObject({ id: 'given-1', email: 'given@example.com', firstname: 'G' });
    expect((await ctx.api('GET', '/api/contacts/given-1')).body.contact.firstname).toBe('G');
  });

  it('keeps names as plain text: markup in them is stripped', async () => {
    const res = await ctx.api('PUT', '/api/contacts/html-1/edit', {
      email: 'h@example.com',
      firstname: '<img src=x onerror=alert(1)>Ada<script>alert(2)</script>',
      lastname: '<b>Lovelace</b>',
    });
    expect(res.status).toBe(201);
    expect(res.body.contact).toMatchObject({ firstname: 'Ada', lastname: 'Lovelace' });
    expect((await ctx.api('GET', '/api/contacts/html-1')).body.contact).toMatchObject({ firstname: 'Ada' });
  });

  it('answers 400 naming each invalid field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'not-an-email' }, 'email: A valid email address is required.'],
      [{ country: 'not existing country' }, 'country: Unknown country'],
      [{ timezone: 'Mars/Olympus' }, 'timezone: Unknown time zone.'],
      [{ preferredChannel: 'fax' }, 'preferredChannel: '],
      [{ frequencyRules: { fax: { frequencyNumber: 1, frequencyTime: 'DAY' } } }, 'frequencyRules: '],
      [
        { webPushSubscriptions: [{ endpoint: 'https://push.example.com/x', keys: { p256dh: 'a b' } }] },
        'webPushSubscriptions.0.keys.',
      ],
      [{ id: 'bad id!' }, 'id: '],
      [{ frequencyRules: { sms: { frequencyNumber: 2 } } }, 'frequencyRules.sms.frequencyTime: A value is required.'],
    ];
    for (const [body, message] of cases) {
      const res = await ctx.api('POST', '/api/contacts/new', body);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].code).toBe(400);
      expect(res.body.errors[0].message.startsWith(message)).toBe(true);
    }
  });

  it('lists with search, start and limit', async () => {
    for (const [id, lastname] of [
      ['list-1', 'Zebra'],
      ['list-2', 'Zebrafish'],
      ['list-3', 'Yak'],
    ]) {
      await ctx.api('PUT', `/api/contacts/${id}/edit`, { lastname, email: `${id}@list.example` });
    }
    const res = await ctx.api('GET', '/api/contacts?search=zebra&start=1&limit=1&orderBy=lastname&orderByDir=DESC');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe('2');
    expect(Object.keys(res.body.contacts)).toEqual(['list-1']);
    expect((await ctx.api('GET', '/api/contacts?limit=x')).status).toBe(400);
    expect((await ctx.api('GET', '/api/contacts?orderBy=password')).status).toBe(400);
  });

  it('batch-upserts with a status per item and errors by index; more than 1000 is a 400', async () => {
    await ctx.api('PUT', '/api/contacts/batch-old/edit', { firstname: 'Old' });
    const res = await ctx.api('POST', '/api/contacts/batch/upsert', [
      { id: 'batch-new', email: 'new@example.com' },
      { id: 'batch-old', email: 'old@example.com' },
      { id: 'batch-bad', email: 'nope' },
      { email: 'noid@example.com' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.statusCodes).toEqual([201, 200, 400, 201]);
    expect(res.body.contacts).toHaveLength(3);
    expect(res.body.contacts[1]).toMatchObject({ id: 'batch-old', firstname: 'Old', email: 'old@example.com' });
    expect(res.body.errors).toEqual({
      2: {
        code: 400,
        message: 'email: A valid email address is required.',
        details: { email: ['A valid email address is required.'] },
        type: null,
      },
    });
    const tooMany = await ctx.api(
      'POST',
      '/api/contacts/batch/upsert',
      Array.from({ length: 1001 }, (_, i) => ({ id: `x${i}` })),
    );
    expect(tooMany.status).toBe(400);
  });

  it('adds and removes do-not-contact entries the Mautic way', async () => {
    await ctx.api('PUT', '/api/contacts/dnc-1/edit', { email: 'dnc@example.com' });
    const added = await ctx.api('POST', '/api/contacts/dnc-1/dnc/email/add', { comments: 'called in', channelId: 12 });
    expect(added.status).toBe(200);
    expect(added.body.contact.doNotContact).toEqual([
      { channel: 'email', reason: 3, comments: 'called in', dateAdded: expect.any(String) },
    ]);
    const bounced = await ctx.api('POST', '/api/contacts/dnc-1/dnc/sms/add', { reason: '2' });
    expect(
      bounced.body.contact.doNotContact.map((d: { channel: string; reason: number }) => [d.channel, d.reason]),
    ).toEqual([
      ['email', 3],
      ['sms', 2],
    ]);
    for (const reason of [0, 'abc', 1.5, 5]) {
      const res = await ctx.api('POST', '/api/contacts/dnc-1/dnc/email/add', { reason });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].message).toBe('Invalid reason code given');
    }
    expect((await ctx.api('POST', '/api/contacts/dnc-1/dnc/fax/add', {})).status).toBe(400);
    expect((await ctx.api('POST', '/api/contacts/nobody/dnc/email/add', {})).status).toBe(404);
    const removed = await ctx.api('POST', '/api/contacts/dnc-1/dnc/email/remove');
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({
      recordFound: true,
      contact: { id: 'dnc-1', doNotContact: [{ channel: 'sms', reason: 2 }] },
    });
    expect((await ctx.api('POST', '/api/contacts/dnc-1/dnc/email/remove')).body.recordFound).toBe(false);
  });

  it('DELETE erases the contact, answers it with id null and announces the erasure', async () => {
    await ctx.api('PUT', '/api/contacts/erase-1/edit', { email: 'erase@example.com' });
    const recorder = new SubjectRecorder(ctx.gateway.app.get<NatsConnection>(NATS_CONNECTION), [
      ctx.env.names.subjects.contactErased(),
    ]);
    const res = await ctx.api('DELETE', '/api/contacts/erase-1/delete');
    expect(res.status).toBe(200);
    expect(res.body.contact).toMatchObject({ id: null, email: 'erase@example.com' });
    const [event] = await recorder.waitForCount(1);
    recorder.stop();
    expect(event.data).toMatchObject({ contactId: 'erase-1' });
    expect((await ctx.api('GET', '/api/contacts/erase-1')).status).toBe(404);
    expect((await ctx.api('DELETE', '/api/contacts/erase-1/delete')).status).toBe(404);
  });

  it('needs credentials', async () => {
    expect((await ctx.api('GET', '/api/contacts', undefined, { auth: null })).status).toBe(401);
  });
});
