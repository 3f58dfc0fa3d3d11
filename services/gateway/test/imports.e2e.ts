import { waitFor } from '@switchboard/testing';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

/** CSV import into a segment (DESIGN §7.4) through the gateway's upload and the preferences worker. */
describe('segment CSV import', () => {
  let ctx: GatewayTestContext;
  let segmentId: number;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['preferences'] });
    segmentId = (await ctx.api('POST', '/api/segments/new', { name: 'Imported' })).body.list.id;
  });
  afterAll(async () => {
    await ctx?.close();
  });

  const upload = async (csv: string | Buffer, contentType = 'text/csv') => {
    const res = await fetch(`${ctx.baseUrl}/api/segments/${segmentId}/import`, {
      method: 'POST',
      headers: { authorization: ctx.adminAuth, 'content-type': contentType },
      body: csv,
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { import: { id: number; status: string } };
    expect(res.headers.get('location')).toBe(`/api/imports/${body.import.id}`);
    return body.import;
  };
  const finished = (id: number) =>
    waitFor(
      async () => {
        const { body } = await ctx.api('GET', `/api/imports/${id}`);
        return body.import.status === 'completed' || body.import.status === 'failed' ? body.import : undefined;
      },
      { timeoutMs: 20_000 },
    );

  it('imports a file with a BOM, semicolons and quoted fields; reports bad rows by number; the good rows go in', async () => {
    const csv =
      '\uFEFFEmail;First Name;lastname;City;Favourite Colour\r\n' +
      'ann@example.com;Ann;"Smith; Jr.";Prague;"blue, ""sky"""\r\n' +
      'not-an-email;Bad;Row;Brno;red\r\n' +
      'bob@example.com;Bob;"Multi\nLine";Brno;green\r\n' +
      ';NoKey;x;y;z\r\n' +
      'cid@example.com;Cid;Only three\r\n';
    const queued = await upload(csv);
    expect(queued).toMatchObject({
      id: expect.any(Number),
      status: expect.stringMatching(/^(queued|running|completed)$/),
      segmentId,
    });
    const done = await finished(queued.id);
    expect(done).toMatchObject({
      status: 'completed',
      rows: 5,
      processed: 5,
      created: 2,
      updated: 0,
      failed: 3,
      progress: 1,
    });
    expect(done.errors).toEqual([
      { row: 3, message: expect.stringMatching(/^email: /) },
      { row: 5, message: 'A row needs an id or an email.' },
      { row: 6, message: 'Expected 5 columns, found 3.' },
    ]);
    // Keyed by id, as Mautic lists contacts: sorted again here, as JSON.parse orders numeric keys.
    type Listed = { id: string; email: string; dateModified: string };
    const byEmail = (contacts: Record<string, Listed>) =>
      Object.values(contacts).sort((a, b) => a.email.localeCompare(b.email));
    const members = byEmail(
      (await ctx.api('GET', `/api/contacts?search=segment:imported&orderBy=email`)).body.contacts,
    );
    expect(members).toEqual([
      expect.objectContaining({
        email: 'ann@example.com',
        firstname: 'Ann',
        lastname: 'Smith; Jr.',
        fields: expect.objectContaining({
          all: expect.objectContaining({ city: 'Prague', favourite_colour: 'blue, "sky"' }),
        }),
      }),
      expect.objectContaining({
        email: 'bob@example.com',
        lastname: 'Multi\nLine',
        fields: expect.objectContaining({ all: expect.objectContaining({ city: 'Brno', favourite_colour: 'green' }) }),
      }),
    ]);

    // The same file again changes nothing: same contacts, same modification times.
    const before = members.map((c) => [c.id, c.dateModified]);
    const again = await finished((await upload(csv)).id);
    expect(again).toMatchObject({ status: 'completed', created: 0, updated: 0, unchanged: 2, failed: 3 });
    const after = byEmail((await ctx.api('GET', `/api/contacts?search=segment:imported&orderBy=email`)).body.contacts);
    expect(after.map((c) => [c.id, c.dateModified])).toEqual(before);
  });

  it('takes multipart/form-data with comma-separated rows, and updates contacts matched by email or id', async () => {
    const csv = 'id,email,firstname,plan\nimp-1,,Ivy,gold\n,ann@example.com,Annie,\n';
    const form = new FormData();
    form.append('note', 'ignored');
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'contacts.csv');
    const res = await fetch(`${ctx.baseUrl}/api/segments/${segmentId}/import`, {
      method: 'POST',
      headers: { authorization: ctx.adminAuth },
      body: form,
    });
    expect(res.status).toBe(202);
    const done = await finished(((await res.json()) as { import: { id: number } }).import.id);
    expect(done).toMatchObject({ status: 'completed', created: 1, updated: 1, failed: 0 });
    expect((await ctx.api('GET', '/api/contacts/imp-1')).body.contact).toMatchObject({
      firstname: 'Ivy',
      fields: { all: { plan: 'gold' } },
    });
    const ann = Object.values<{ firstname: string }>(
      (await ctx.api('GET', '/api/contacts?search=ann@example.com')).body.contacts,
    );
    expect(ann).toHaveLength(1);
    expect(ann[0].firstname).toBe('Annie');
  });

  it('fails visibly on a file without an id or email column, and answers 404/400 for bad requests', async () => {
    const done = await finished((await upload('name,city\nx,y\n')).id);
    expect(done).toMatchObject({ status: 'failed', error: 'The file needs an id or an email column.' });
    expect((await ctx.api('GET', '/api/imports/999999')).status).toBe(404);
    const json = await ctx.api('POST', `/api/segments/${segmentId}/import`, { rows: [] });
    expect(json.status).toBe(400);
    const missing = await fetch(`${ctx.baseUrl}/api/segments/999999/import`, {
      method: 'POST',
      headers: { authorization: ctx.adminAuth, 'content-type': 'text/csv' },
      body: 'email\na@b.c\n',
    });
    expect(missing.status).toBe(404);
  });
});
