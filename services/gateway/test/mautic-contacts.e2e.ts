import { rawRequest } from './support/raw-http';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

/** A contact as Mautic's PHP library's own tests create one: flat custom fields and Mautic-only keys. */
const MAUTIC_PAYLOAD = {
  firstname: 'John',
  lastname: 'APIDoe',
  address2: 'Sam & Sons',
  city: 'Prague',
  email: 'test@mautic.api',
  owner: 1,
  points: 3,
  tags: ['APItag1', 'APItag2'],
};

describe('contacts as Mautic clients use them', () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['preferences'], serviceEnv: { SB_DEFAULT_COUNTRY: 'US' } });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  /** The PHP library's request: Basic auth, JSON, and the blank `Expect:` header curl is told to send. */
  const mautic = async (method: string, path: string, body?: unknown) => {
    const res = await rawRequest(ctx.baseUrl, {
      method,
      path,
      headerLines: [
        `Authorization: ${ctx.adminAuth}`,
        'Accept: application/json',
        'Expect:',
        ...(body === undefined ? [] : ['Content-Type: application/json']),
      ],
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: res.body ? JSON.parse(res.body) : undefined };
  };

  it('creates with flat custom fields and DNC in the body, then merges the same email into that contact', async () => {
    const created = await mautic('POST', '/api/contacts/new', {
      ...MAUTIC_PAYLOAD,
      doNotContact: [{ channel: 'email', reason: 2 }],
    });
    expect(created.status).toBe(201);
    const contact = created.body.contact;
    expect(contact.id).toMatch(/^\d+$/);
    expect(created.headers.location).toBe(`/api/contacts/${contact.id}`);
    expect(contact.fields.core.firstname.value).toBe('John');
    expect(contact.fields.core.lastname.value).toBe('APIDoe');
    expect(contact.fields.core.address2).toEqual({
      alias: 'address2',
      label: 'Address2',
      type: 'text',
      group: 'core',
      value: 'Sam & Sons',
    });
    expect(contact.fields.all).toMatchObject({
      id: contact.id,
      firstname: 'John',
      lastname: 'APIDoe',
      email: 'test@mautic.api',
      address2: 'Sam & Sons',
      city: 'Prague',
    });
    expect(contact.fields.all).not.toHaveProperty('tags');
    expect(contact).toMatchObject({ points: 0, stage: null, owner: null, tags: [] });
    expect(contact.doNotContact).toEqual([
      { channel: 'email', reason: 2, comments: null, dateAdded: expect.any(String) },
    ]);

    const again = await mautic('POST', '/api/contacts/new', { ...MAUTIC_PAYLOAD, firstname: 'Johnny', city: 'Brno' });
    expect(again.status).toBe(200);
    expect(again.body.contact.id).toBe(contact.id);
    expect(again.body.contact.fields.all).toMatchObject({ firstname: 'Johnny', city: 'Brno', address2: 'Sam & Sons' });
    expect(again.body.contact.doNotContact).toHaveLength(1);

    const got = await mautic('GET', `/api/contacts/${contact.id}`);
    expect(got.body.contact.fields.all.city).toBe('Brno');
    const listed = await mautic('GET', `/api/contacts?search=ids:${contact.id}`);
    expect(listed.body).toMatchObject({
      total: '1',
      contacts: { [contact.id]: { id: contact.id, fields: { all: { city: 'Brno' } } } },
    });
  });

  it('edits with PATCH and PUT (custom fields flat or under fields), and answers a bad field in the Mautic error shape', async () => {
    const { contact } = (await mautic('POST', '/api/contacts/new', { email: 'edit@mautic.api', city: 'Prague' })).body;
    const patched = await mautic('PATCH', `/api/contacts/${contact.id}/edit`, {
      firstname: 'test2',
      fields: { plan: 'gold' },
      shoe_size: 44,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.contact.fields.all).toMatchObject({
      firstname: 'test2',
      city: 'Prague',
      plan: 'gold',
      shoe_size: 44,
    });
    expect(patched.body.contact.fields.core.shoe_size).toMatchObject({ type: 'number', value: 44 });

    const bad = await mautic('PATCH', `/api/contacts/${contact.id}/edit`, { country: 'not existing country' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      errors: [
        {
          code: 400,
          message: 'country: Unknown country: give an ISO 3166 code (CZ) or its English name.',
          details: { country: ['Unknown country: give an ISO 3166 code (CZ) or its English name.'] },
          type: null,
        },
      ],
    });
    expect((await mautic('PATCH', '/api/contacts/10000/edit', MAUTIC_PAYLOAD)).body.errors[0]).toMatchObject({
      code: 404,
      message: 'Item was not found.',
    });

    const put = await mautic('PUT', `/api/contacts/${contact.id}/edit`, {
      email: 'edit@mautic.api',
      country: 'Czechia',
    });
    expect(put.status).toBe(200);
    expect(put.body.contact.fields.all).toMatchObject({ country: 'Czechia', firstname: null });
    expect(put.body.contact.fields.all).not.toHaveProperty('city');
  });

  it('normalises mobiles to E.164 and keeps one that cannot be, without refusing the contact', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ mobile: '+15550000001' }, '+15550000001'],
      [{ mobile: '(415) 555-0123' }, '+14155550123'],
      [{ mobile: '603 123 456', country: 'CZ' }, '+420603123456'],
      [{ mobile: 'not a number' }, 'not a number'],
    ];
    for (const [i, [body, mobile]] of cases.entries()) {
      const res = await mautic('POST', '/api/contacts/new', {
        email: `mobile${i}@mautic.api`,
        firstname: 'M',
        ...body,
      });
      expect([body, res.status, res.body.contact.mobile]).toEqual([body, 201, mobile]);
      expect(res.body.contact.fields.core.mobile.value).toBe(mobile);
    }
  });

  it('lists the fields, core and custom, as Mautic does, and the segments of a contact', async () => {
    await mautic('POST', '/api/contacts/new', { email: 'fields@mautic.api', loyalty_tier: 'gold' });
    const res = await mautic('GET', '/api/contacts/list/fields');
    expect(res.status).toBe(200);
    const fields = Object.values(res.body) as { id: number; alias: string; group: string }[];
    expect(fields.map((f) => f.alias)).toEqual(
      expect.arrayContaining(['firstname', 'email', 'mobile', 'loyalty_tier']),
    );
    expect(res.body['1']).toMatchObject({
      id: 1,
      alias: 'firstname',
      label: 'First Name',
      group: 'core',
      object: 'lead',
    });
    expect(fields.find((f) => f.alias === 'email')).toMatchObject({ isUniqueIdentifier: true });

    const { contact } = (await mautic('POST', '/api/contacts/new', { email: 'segments@mautic.api' })).body;
    expect(await mautic('GET', `/api/contacts/${contact.id}/segments`)).toMatchObject({
      status: 200,
      body: { total: 0, lists: {} },
    });
    expect((await mautic('GET', '/api/contacts/nobody-here/segments')).status).toBe(404);
  });

  it('batch round trip: new, edit (PATCH and PUT), delete answering the contacts with their ids', async () => {
    const created = await mautic('POST', '/api/contacts/batch/new', [
      { email: 'batch1@mautic.api', firstname: 'B1', city: 'Prague' },
      { email: 'batch2@mautic.api', firstname: 'B2' },
      { email: 'not-an-email' },
      { email: 'batch1@mautic.api', lastname: 'Same' },
    ]);
    expect(created.status).toBe(201);
    expect(created.body.statusCodes).toEqual([201, 201, 400, 200]);
    expect(Object.keys(created.body)).toEqual(['contacts', 'statusCodes', 'errors']);
    expect(created.body.errors['2']).toMatchObject({ code: 400, message: 'email: A valid email address is required.' });
    const [one, two, oneAgain] = created.body.contacts;
    expect(oneAgain.id).toBe(one.id);
    expect(oneAgain.fields.all).toMatchObject({ firstname: 'B1', lastname: 'Same', city: 'Prague' });

    const patched = await mautic('PATCH', '/api/contacts/batch/edit', [
      { id: one.id, firstname: 'B1b' },
      { id: 'ghost-contact', firstname: 'nobody' },
      { firstname: 'no id' },
      { id: two.id, zip: '11000' },
    ]);
    expect(patched.status).toBe(200);
    expect(patched.body.statusCodes).toEqual([200, 404, 400, 200]);
    expect(patched.body.errors['1']).toEqual({ code: 404, message: 'Item was not found.', details: {}, type: null });
    expect(patched.body.errors['2'].details).toEqual({ id: ['An id is required.'] });
    expect(patched.body.contacts.map((c: any) => c.fields.all.firstname)).toEqual(['B1b', 'B2']);
    expect(patched.body.contacts[1].fields.all.zip).toBe('11000');
    expect((await mautic('GET', '/api/contacts/ghost-contact')).status).toBe(404);

    const put = await mautic('PUT', '/api/contacts/batch/edit', [
      { id: two.id, email: 'batch2@mautic.api' },
      { id: 'put-made', email: 'put-made@mautic.api' },
    ]);
    expect(put.body.statusCodes).toEqual([200, 201]);
    expect(put.body.contacts[0].fields.all).toMatchObject({ firstname: null, email: 'batch2@mautic.api' });

    const deleted = await mautic('DELETE', `/api/contacts/batch/delete?ids=${one.id},${two.id},put-made,nobody-here`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.statusCodes).toEqual([200, 200, 200, 404]);
    expect(deleted.body.contacts.map((c: any) => c.id)).toEqual([one.id, two.id, 'put-made']);
    expect(deleted.body.contacts[0]).toMatchObject({
      email: 'batch1@mautic.api',
      fields: { all: { firstname: 'B1b' } },
    });
    for (const id of [one.id, two.id, 'put-made'])
      expect((await mautic('GET', `/api/contacts/${id}`)).status).toBe(404);

    const { contact } = (await mautic('POST', '/api/contacts/new', { email: 'bracket@mautic.api' })).body;
    const bracket = await mautic('DELETE', `/api/contacts/batch/delete?ids[]=${contact.id}`);
    expect(bracket.body).toEqual({ contacts: [expect.objectContaining({ id: contact.id })], statusCodes: [200] });

    const single = (await mautic('POST', '/api/contacts/new', { email: 'single@mautic.api' })).body.contact;
    expect((await mautic('DELETE', `/api/contacts/${single.id}/delete`)).body.contact).toMatchObject({
      id: null,
      email: 'single@mautic.api',
    });
  });

  it('takes at most 200 contacts in a Mautic batch', async () => {
    const many = Array.from({ length: 201 }, (_, i) => ({ email: `many${i}@mautic.api` }));
    const res = await mautic('POST', '/api/contacts/batch/new', many);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toBe('A max of 200 entities are supported at a time.');
    expect((await mautic('PATCH', '/api/contacts/batch/edit', many)).status).toBe(400);
    const ids = many.map((_, i) => `id${i}`).join(',');
    expect((await mautic('DELETE', `/api/contacts/batch/delete?ids=${ids}`)).status).toBe(400);
    expect((await mautic('DELETE', '/api/contacts/batch/delete')).status).toBe(400);
  });
});
