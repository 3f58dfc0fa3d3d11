import { Controller, Get, Module } from '@nestjs/common';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

@Controller('api/boom')
class BoomController {
  @Get()
  boom(): never {
    throw new Error('secret internals: password=hunter2 at /srv/app.ts:42');
  }
}

@Module({ controllers: [BoomController] })
class BoomModule {}

function expectMauticError(body: any, code: number): void {
  expect(body).toEqual({ errors: [{ code, message: expect.any(String), details: expect.any(Object), type: null }] });
}

describe('gateway HTTP layer', () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway({ imports: [BoomModule] });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('answers an unknown route with 404 in the Mautic shape', async () => {
    const res = await ctx.api('GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expectMauticError(res.body, 404);
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await ctx.api('PUT', '/api/users');
    expect(res.status).toBe(405);
    expectMauticError(res.body, 405);
    expect(res.headers.get('allow')).toContain('GET');
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await ctx.api('POST', '/api/clients/new', undefined, { raw: '{"name": "x",' });
    expect(res.status).toBe(400);
    expectMauticError(res.body, 400);
  });

  it('rejects a body over 1 MB with 413', async () => {
    const res = await ctx.api('POST', '/api/clients/new', { name: 'x'.repeat(1024 * 1024 + 10) });
    expect(res.status).toBe(413);
    expectMauticError(res.body, 413);
  });

  it('reports validation errors as field: msg pairs', async () => {
    const res = await ctx.api('POST', '/api/clients/new', {});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errors: [
        { code: 400, message: 'name: A name is required.', details: { name: ['A name is required.'] }, type: null },
      ],
    });
  });

  it('hides internals of unexpected errors behind a 500', async () => {
    const res = await ctx.api('GET', '/api/boom');
    expect(res.status).toBe(500);
    expectMauticError(res.body, 500);
    expect(res.text).not.toMatch(/hunter2|secret|app\.ts/);
  });

  it('puts x-correlation-id on every response, keeping the caller’s', async () => {
    const given = await ctx.api('GET', '/api/users/self', undefined, { headers: { 'x-correlation-id': 'corr-123' } });
    expect(given.status).toBe(200);
    expect(given.headers.get('x-correlation-id')).toBe('corr-123');
    for (const res of [
      await ctx.api('GET', '/api/nothing'),
      await ctx.api('GET', '/api/users', undefined, { auth: null }),
    ]) {
      expect(res.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers every API request, errors included, with no-store and nosniff', async () => {
    for (const res of [
      await ctx.api('GET', '/api/users/self'),
      await ctx.api('GET', '/api/nothing'),
      await ctx.api('GET', '/api/users', undefined, { auth: null }),
      await ctx.api('POST', '/api/clients/new', {}),
    ]) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves the OpenAPI document without auth', async () => {
    const res = await ctx.api('GET', '/api/docs', undefined, { auth: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(
      res.body.paths['/api/clients/new'].post.requestBody.content['application/json'].schema.properties.name,
    ).toBeDefined();
    expect(res.body.paths['/oauth/v2/token'].post.security).toEqual([]);
  });
});
