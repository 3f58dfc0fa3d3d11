import { startGateway, type GatewayTestContext } from './support/gateway-test';

/** Issue #23 point 3 through the REST API: no webhook to an internal address; the secret is shown once. */
describe('webhooks: internal addresses and secrets', () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['tracker'] });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it.each([
    'http://127.0.0.1:5432/',
    'http://localhost:5432/',
    'http://[::1]/',
    'http://0.0.0.0/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.1.2.3/',
    'http://[::ffff:169.254.169.254]/',
  ])('answers 400 to a webhook for %s, on create and on edit', async (webhookUrl) => {
    const res = await ctx.api('POST', '/api/webhooks/new', { name: 'x', webhookUrl, triggers: ['*'] });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({
      code: 400,
      details: { webhookUrl: [expect.stringContaining('Webhooks may not call internal addresses')] },
    });
  });

  it('shows the secret in the creation answer only', async () => {
    const created = await ctx.api('POST', '/api/webhooks/new', {
      name: 'CRM',
      webhookUrl: 'https://crm.example.com/hook',
      triggers: ['*'],
      isPublished: false,
    });
    expect(created.status).toBe(201);
    expect(created.body.webhook.secret).toEqual(expect.any(String));
    const id = created.body.webhook.id;
    const reads = [
      (await ctx.api('GET', `/api/webhooks/${id}`)).body.webhook,
      (await ctx.api('GET', '/api/webhooks')).body.webhooks[0],
      (await ctx.api('PATCH', `/api/webhooks/${id}/edit`, { name: 'CRM 2' })).body.webhook,
    ];
    for (const read of reads) expect(read).not.toHaveProperty('secret');
    const moved = await ctx.api('PUT', `/api/webhooks/${id}/edit`, {
      name: 'CRM',
      webhookUrl: 'http://[::1]:8080/',
      triggers: ['*'],
    });
    expect(moved.status).toBe(400);
  });
});
