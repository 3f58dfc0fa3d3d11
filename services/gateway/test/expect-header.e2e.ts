import { rawRequest, type RawResponse } from './support/raw-http';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

/**
 * Mautic's PHP library (over curl or Guzzle) sends a blank `Expect:` header on every call; Node's
 * HTTP server answers 417 to any expectation it does not know unless told otherwise.
 */
describe('the Expect header as Mautic clients send it', () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['catalog'] });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  const send = (method: string, path: string, expect: string, body?: unknown): Promise<RawResponse> =>
    rawRequest(ctx.baseUrl, {
      method,
      path,
      headerLines: [
        `Authorization: ${ctx.adminAuth}`,
        'Accept: application/json',
        ...(body === undefined ? [] : ['Content-Type: application/json']),
        expect,
      ],
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it.each(['Expect:', 'Expect: ', 'Expect: foo'])(
    'serves every verb with `%s` as if the header were absent',
    async (header) => {
      const created = await send('POST', '/api/messages/new', header, { name: 'Blank expect' });
      expect(created.status).toBe(201);
      const message = JSON.parse(created.body).message;
      expect(message).toMatchObject({ name: 'Blank expect', id: expect.any(Number) });

      const listed = await send('GET', `/api/messages?search=ids:${message.id}`, header);
      expect(listed.status).toBe(200);
      expect(JSON.parse(listed.body)).toMatchObject({ total: 1, messages: [{ id: message.id }] });

      const head = await send('HEAD', `/api/messages/${message.id}`, header);
      expect(head.status).toBe(200);

      const patched = await send('PATCH', `/api/messages/${message.id}/edit`, header, { description: 'patched' });
      expect(patched.status).toBe(200);
      expect(JSON.parse(patched.body).message).toMatchObject({ name: 'Blank expect', description: 'patched' });

      const put = await send('PUT', `/api/messages/${message.id}/edit`, header, { name: 'Replaced' });
      expect(put.status).toBe(200);
      expect(JSON.parse(put.body).message).toMatchObject({ id: message.id, name: 'Replaced', description: null });

      const deleted = await send('DELETE', `/api/messages/${message.id}/delete`, header);
      expect(deleted.status).toBe(200);
      expect(JSON.parse(deleted.body).message).toMatchObject({ id: null, name: 'Replaced' });

      const missing = await send('GET', `/api/messages/${message.id}`, header);
      expect(missing.status).toBe(404);
      expect(JSON.parse(missing.body).errors[0]).toMatchObject({ code: 404, message: 'Item was not found.' });

      const unauthenticated = await rawRequest(ctx.baseUrl, {
        method: 'GET',
        path: '/api/messages',
        headerLines: [header],
      });
      expect(unauthenticated.status).toBe(401);
    },
  );

  it('still honours a real `Expect: 100-continue`: 100 first, the body after it, then the answer', async () => {
    const res = await rawRequest(ctx.baseUrl, {
      method: 'POST',
      path: '/api/messages/new',
      headerLines: [`Authorization: ${ctx.adminAuth}`, 'Content-Type: application/json', 'Expect: 100-continue'],
      body: JSON.stringify({ name: 'Continued' }),
      waitForContinue: true,
    });
    expect(res.interim).toEqual([100]);
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body).message.name).toBe('Continued');
  });
});
