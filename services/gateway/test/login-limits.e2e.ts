import { startGateway, type GatewayTestContext } from './support/gateway-test';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Issue #23 point 4: failed logins are limited per username, per client id and per address. */
describe('failed-login limits', () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway({
      serviceEnv: {
        SB_LOGIN_MAX_FAILURES: '3',
        SB_LOGIN_MAX_FAILURES_PER_ADDRESS: '10',
        SB_LOGIN_WINDOW_SECONDS: '600',
      },
    });
    expect((await ctx.api('POST', '/api/users/new', { username: 'eve', password: 'eve-password-1' })).status).toBe(201);
    expect((await ctx.api('POST', '/api/users/new', { username: 'bob', password: 'bob-password-1' })).status).toBe(201);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('answers 429 with Retry-After once a username has had too many wrong passwords, even to the right one', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await ctx.api('GET', '/api/users/self', undefined, { auth: basic('EVE', `wrong-${i}`) })).status).toBe(
        401,
      );
    }
    const blocked = await ctx.api('GET', '/api/users/self', undefined, { auth: basic('eve', 'eve-password-1') });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(500);
    expect(blocked.body).toEqual({
      errors: [{ code: 429, message: 'Too many failed logins; try again later.', details: {}, type: null }],
    });
    // Another user from the same address still logs in.
    expect((await ctx.api('GET', '/api/users/self', undefined, { auth: basic('bob', 'bob-password-1') })).status).toBe(
      200,
    );
  });

  it('limits wrong OAuth client secrets the same way', async () => {
    const { clientId } = (await ctx.api('POST', '/api/clients/new', { name: 'crm' })).body.client;
    const token = (secret: string) =>
      ctx.api(
        'POST',
        '/oauth/v2/token',
        { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
        { auth: null },
      );
    for (let i = 0; i < 3; i++) expect((await token(`nope-${i}`)).status).toBe(401);
    const blocked = await token('nope-again');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('limits an address that tries many usernames', async () => {
    // 6 failures so far from this address; 4 more reach its limit of 10.
    for (let i = 0; i < 4; i++) {
      expect((await ctx.api('GET', '/api/users/self', undefined, { auth: basic(`u${i}`, 'x') })).status).toBe(401);
    }
    const blocked = await ctx.api('GET', '/api/users/self', undefined, { auth: basic('someone-else', 'x') });
    expect(blocked.status).toBe(429);
  });
});
