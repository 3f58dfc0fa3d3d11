import { DataSource } from 'typeorm';
import { TEST_ADMIN, startGateway, type GatewayTestContext } from './support/gateway-test';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('gateway auth', () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway();
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('creates the first admin from SB_ADMIN_USER/SB_ADMIN_PASSWORD', async () => {
    const res = await ctx.api('GET', '/api/users/self');
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username: TEST_ADMIN.username, isAdmin: true });
  });

  it.each([
    ['no credentials', null],
    ['a wrong password', basic(TEST_ADMIN.username, 'wrong')],
    ['an unknown user', basic('nobody', 'whatever')],
    ['a malformed Basic header', 'Basic !!!'],
    ['an unknown bearer token', 'Bearer not-a-token'],
    ['an unsupported scheme', 'Digest abc'],
  ])('answers %s with 401 in the Mautic shape', async (_label, auth) => {
    const res = await ctx.api('GET', '/api/users/self', undefined, { auth });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: [{ code: 401, message: expect.any(String), details: {}, type: null }] });
  });

  it('issues bearer tokens to API clients (JSON, form and Basic client auth)', async () => {
    const created = await ctx.api('POST', '/api/clients/new', { name: 'CRM sync' });
    expect(created.status).toBe(201);
    const { clientId, clientSecret } = created.body.client;
    expect(clientSecret).toEqual(expect.any(String));

    const listed = await ctx.api('GET', '/api/clients');
    expect(listed.body.clients.find((c: any) => c.clientId === clientId).clientSecret).toBeUndefined();

    const json = await ctx.api(
      'POST',
      '/oauth/v2/token',
      { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
      { auth: null },
    );
    expect(json.status).toBe(200);
    expect(json.body).toEqual({
      access_token: expect.any(String),
      expires_in: 3600,
      token_type: 'bearer',
      scope: null,
    });

    const form = await ctx.api('POST', '/oauth/v2/token', undefined, {
      auth: null,
      raw: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
      }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(200);

    const viaBasic = await ctx.api(
      'POST',
      '/oauth/v2/token',
      { grant_type: 'client_credentials' },
      { auth: basic(clientId, clientSecret) },
    );
    expect(viaBasic.status).toBe(200);

    const self = await ctx.api('GET', '/api/users/self', undefined, { auth: `Bearer ${json.body.access_token}` });
    expect(self.status).toBe(200);
    expect(self.body.client).toEqual({ id: created.body.client.id, name: 'CRM sync', role: 'marketer' });

    // API clients are not admins.
    const forbidden = await ctx.api('GET', '/api/clients', undefined, { auth: `Bearer ${json.body.access_token}` });
    expect(forbidden.status).toBe(403);

    const bad = await ctx.api(
      'POST',
      '/oauth/v2/token',
      { grant_type: 'client_credentials', client_id: clientId, client_secret: 'nope' },
      { auth: null },
    );
    expect(bad.status).toBe(401);
    const grant = await ctx.api(
      'POST',
      '/oauth/v2/token',
      { grant_type: 'password', client_id: clientId, client_secret: clientSecret },
      { auth: null },
    );
    expect(grant.status).toBe(400);

    // Deleting the client revokes its tokens.
    const deleted = await ctx.api('DELETE', `/api/clients/${created.body.client.id}/delete`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.client.id).toBeNull();
    const revoked = await ctx.api('GET', '/api/users/self', undefined, { auth: `Bearer ${json.body.access_token}` });
    expect(revoked.status).toBe(401);
  });

  it('lets an admin create users, who are not admins by default', async () => {
    const created = await ctx.api('POST', '/api/users/new', { username: 'approver', password: 'approver-password' });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ username: 'approver', isAdmin: false });
    const again = await ctx.api('POST', '/api/users/new', { username: 'approver', password: 'approver-password' });
    expect(again.status).toBe(409);
    const self = await ctx.api('GET', '/api/users/self', undefined, { auth: basic('approver', 'approver-password') });
    expect(self.body.user.username).toBe('approver');
    const forbidden = await ctx.api(
      'POST',
      '/api/users/new',
      { username: 'x', password: 'xxxxxxxxxx' },
      { auth: basic('approver', 'approver-password') },
    );
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.errors[0].code).toBe(403);
  });

  it('leaves /api/docs public', async () => {
    expect((await ctx.api('GET', '/api/docs', undefined, { auth: null })).status).toBe(200);
  });

  it('refuses an expired bearer token', async () => {
    const { clientId, clientSecret } = (await ctx.api('POST', '/api/clients/new', { name: 'Short-lived' })).body.client;
    const token = (
      await ctx.api(
        'POST',
        '/oauth/v2/token',
        { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
        { auth: null },
      )
    ).body.access_token;
    await ctx.gateway.app
      .get(DataSource)
      .query("UPDATE gateway.access_tokens SET expires_at = now() - interval '1 second'");
    const res = await ctx.api('GET', '/api/users/self', undefined, { auth: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.body.errors[0].message).toBe('The access token provided is invalid or has expired.');
  });

  it('answers /health on the API port without credentials', async () => {
    const res = await ctx.api('GET', '/health', undefined, { auth: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});
