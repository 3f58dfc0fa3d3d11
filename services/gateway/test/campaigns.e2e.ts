import { startGateway, type GatewayTestContext } from './support/gateway-test';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const FUTURE = '2099-01-01T09:00:00.000Z';

/** /api/campaigns on the gateway and campaign-actions (real NATS and PostgreSQL): CRUD, list params, life cycle, approval. */
describe('/api/campaigns (gateway + campaign-actions)', () => {
  let ctx: GatewayTestContext;
  const marketer = basic('mia', 'mia-password-1');
  const approver = basic('abe', 'abe-password-1');
  const approver2 = basic('ann', 'ann-password-1');

  beforeAll(async () => {
    ctx = await startGateway({ services: ['campaign-actions'] });
    for (const [username, role] of [
      ['mia', 'marketer'],
      ['abe', 'approver'],
      ['ann', 'approver'],
      ['vic', 'viewer'],
    ])
      expect(
        (await ctx.api('POST', '/api/users/new', { username, password: `${username}-password-1`, role })).status,
      ).toBe(201);
  });
  afterAll(() => ctx?.close());

  const as = (auth: string) => ({ auth });
  const create = (body: Record<string, unknown>, auth = marketer) =>
    ctx.api('POST', '/api/campaigns/new', body, as(auth));
  const act = (id: number, action: string, auth: string, body?: unknown) =>
    ctx.api('POST', `/api/campaigns/${id}/${action}`, body ?? {}, as(auth));

  it('creates, reads, edits, lists and deletes campaigns', async () => {
    const created = await create({
      name: 'Winter sale',
      description: 'Everything must go',
      messageId: '12',
      audience: { include: [3, 4], exclude: [5] },
      schedule: { type: 'at', at: FUTURE },
    });
    expect(created.status).toBe(201);
    const c = created.body.campaign;
    expect(created.headers.get('location')).toBe(`/api/campaigns/${c.id}`);
    expect(c).toMatchObject({
      name: 'Winter sale',
      description: 'Everything must go',
      messageId: 12,
      audience: { include: [3, 4], exclude: [5] },
      schedule: { type: 'at', at: FUTURE },
      status: 'draft',
      createdBy: 'mia',
      submittedBy: null,
      approvedBy: null,
      approvedAt: null,
      lastShipmentAt: null,
      sent: 0,
    });
    expect(Date.parse(c.dateAdded)).toBeGreaterThan(0);

    expect((await ctx.api('GET', `/api/campaigns/${c.id}`)).body.campaign).toEqual(c);
    const patched = await ctx.api('PATCH', `/api/campaigns/${c.id}/edit`, { name: 'Winter sale 2' });
    expect(patched.status).toBe(200);
    expect(patched.body.campaign).toMatchObject({ name: 'Winter sale 2', audience: c.audience, schedule: c.schedule });
    const put = await ctx.api('PUT', `/api/campaigns/${c.id}/edit`, { name: 'Winter sale 3', messageId: 13 });
    expect(put.body.campaign).toMatchObject({
      name: 'Winter sale 3',
      messageId: 13,
      description: null,
      audience: { include: [], exclude: [] },
      schedule: { type: 'now' },
    });

    await create({ name: 'Alpha', messageId: 1, audience: { all: true } });
    await create({ name: 'Omega', messageId: 1, description: 'about winter' });
    const byName = await ctx.api('GET', '/api/campaigns?orderBy=name&orderByDir=desc&limit=2');
    expect(byName.status).toBe(200);
    expect(byName.body.total).toBeGreaterThanOrEqual(3);
    expect(byName.body.campaigns).toHaveLength(2);
    expect(byName.body.campaigns[0].name).toBe('Winter sale 3');
    const search = await ctx.api('GET', '/api/campaigns?search=winter');
    expect(search.body.campaigns.map((x: { name: string }) => x.name).sort()).toEqual(['Omega', 'Winter sale 3']);
    const paged = await ctx.api('GET', '/api/campaigns?search=winter&start=1&limit=1&orderBy=id');
    expect(paged.body).toMatchObject({ total: 2, campaigns: [{ name: 'Omega' }] });
    expect((await ctx.api('GET', '/api/campaigns?status=draft')).body.total).toBeGreaterThanOrEqual(3);
    // A viewer reads and nothing else.
    const viewer = as(basic('vic', 'vic-password-1'));
    expect((await ctx.api('GET', `/api/campaigns/${c.id}`, undefined, viewer)).status).toBe(200);
    expect((await ctx.api('POST', '/api/campaigns/new', { name: 'v', messageId: 1 }, viewer)).status).toBe(403);
    expect((await ctx.api('PATCH', `/api/campaigns/${c.id}/edit`, { name: 'v' }, viewer)).status).toBe(403);

    const deleted = await ctx.api('DELETE', `/api/campaigns/${c.id}/delete`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.campaign).toMatchObject({ id: null, name: 'Winter sale 3' });
    expect((await ctx.api('GET', `/api/campaigns/${c.id}`)).status).toBe(404);
  });

  it('answers bad input and unknown ids in the Mautic error shape', async () => {
    const bad = await create({ messageId: 'x', schedule: { type: 'recurring', cron: 'every day' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].code).toBe(400);
    expect(bad.body.errors[0].details.name).toEqual(['A name is required.']);
    const cron = await create({ name: 'c', messageId: 1, schedule: { type: 'recurring', cron: 'every day' } });
    expect(cron.status).toBe(400);
    expect(cron.body.errors[0].details['schedule.cron'][0]).toMatch(/Invalid cron/);
    const at = await create({ name: 'c', messageId: 1, schedule: { type: 'at' } });
    expect(at.status).toBe(400);
    const zone = await create({
      name: 'c',
      messageId: 1,
      schedule: { type: 'recurring', cron: '0 9 * * *', timezone: 'Mars/Olympus' },
    });
    expect(zone.status).toBe(400);
    expect((await ctx.api('GET', '/api/campaigns/999999')).status).toBe(404);
    expect((await ctx.api('GET', '/api/campaigns/abc')).status).toBe(404);
    expect((await ctx.api('GET', '/api/campaigns?orderByDir=sideways')).status).toBe(400);
  });

  it('goes draft → awaiting_approval → scheduled with four eyes, back to draft on reject or edit, and 409s the rest', async () => {
    const { id } = (
      await create({
        name: 'Recurring digest',
        messageId: 7,
        schedule: { type: 'recurring', cron: '0 9 * * 1', timezone: 'America/Santiago' },
      })
    ).body.campaign;

    for (const action of ['approve', 'reject', 'cancel']) {
      const res = await act(id, action, approver);
      expect(res.status).toBe(409);
      expect(res.body.errors[0]).toMatchObject({ code: 409, type: null });
    }
    const submitted = await act(id, 'submit', marketer);
    expect(submitted.status).toBe(200);
    expect(submitted.body.campaign).toMatchObject({ status: 'awaiting_approval', submittedBy: 'mia' });
    expect((await act(id, 'submit', marketer)).status).toBe(409);

    const rejected = await act(id, 'reject', approver, { comment: 'Too pushy' });
    expect(rejected.body.campaign).toMatchObject({
      status: 'draft',
      submittedBy: null,
      rejectedBy: 'abe',
      rejectionComment: 'Too pushy',
    });

    // Roles: a marketer may not approve, an approver may not submit.
    expect((await act(id, 'submit', approver)).status).toBe(403);
    await act(id, 'submit', marketer);
    expect((await act(id, 'approve', marketer)).status).toBe(403);
    await act(id, 'reject', approver, {});
    // The submitter may not approve their own campaign, whatever their role (an admin may do both otherwise).
    await act(id, 'submit', ctx.adminAuth);
    const own = await act(id, 'approve', ctx.adminAuth);
    expect(own.status).toBe(403);
    expect(own.body.errors[0].code).toBe(403);
    const approved = await act(id, 'approve', approver2);
    expect(approved.status).toBe(200);
    const c = approved.body.campaign;
    expect(c).toMatchObject({ status: 'scheduled', submittedBy: 'admin', approvedBy: 'ann', rejectionComment: null });
    expect(Math.abs(Date.parse(c.approvedAt) - Date.now())).toBeLessThan(10_000);
    // Monday 09:00 in Santiago, after now.
    const next = new Date(c.nextRunAt);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(
      new Intl.DateTimeFormat('en-US', {
        timeZone: 'America/Santiago',
        weekday: 'short',
        hour: 'numeric',
        hour12: false,
      }).format(next),
    ).toBe('Mon, 09');

    // Editing an approved campaign sends it back to draft, approval cleared.
    const edited = await ctx.api(
      'PATCH',
      `/api/campaigns/${id}/edit`,
      { description: 'now with coupons' },
      as(marketer),
    );
    expect(edited.body.campaign).toMatchObject({
      status: 'draft',
      approvedBy: null,
      approvedAt: null,
      nextRunAt: null,
    });

    await act(id, 'submit', marketer);
    await act(id, 'approve', approver);
    const canceled = await act(id, 'cancel', marketer);
    expect(canceled.body.campaign).toMatchObject({ status: 'canceled', nextRunAt: null });
    expect((await act(id, 'cancel', marketer)).status).toBe(409);
    expect((await ctx.api('GET', `/api/campaigns/${id}/shipments`)).body).toEqual({ shipments: [] });
  });
});
