import type { NestExpressApplication } from '@nestjs/platform-express';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route Express has registered: the gateway's whole surface, including routes added later. */
function registeredRoutes(ctx: GatewayTestContext): { method: string; path: string }[] {
  const express = (ctx.gateway.app as NestExpressApplication).getHttpAdapter().getInstance() as {
    router: { stack: RouteLayer[] };
  };
  return express.router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((m) => m !== '_all')
          .map((m) => ({ method: m.toUpperCase(), path: layer.route!.path }))
      : [],
  );
}

/** A concrete URL for a route pattern: every `:param` becomes 1. */
const concrete = (path: string) => path.replace(/:[A-Za-z_]+/g, '1').replace(/[*{}]/g, '');

/** DESIGN §7.4: roles on every route of the gateway. */
describe('roles', () => {
  let ctx: GatewayTestContext;
  const users = {
    viewer: basic('Vera', 'viewer-password-1'),
    marketer: basic('mark', 'marketer-password-1'),
    approver: basic('april', 'approver-password-1'),
  };

  beforeAll(async () => {
    ctx = await startGateway({ services: ['catalog', 'preferences'] });
    for (const [role, username, password] of [
      ['viewer', 'Vera', 'viewer-password-1'],
      ['marketer', 'mark', 'marketer-password-1'],
      ['approver', 'april', 'approver-password-1'],
    ]) {
      const res = await ctx.api('POST', '/api/users/new', { username, password, role });
      expect(res.status).toBe(201);
      expect(res.body.user).toMatchObject({ username, role, isAdmin: false, disabled: false });
    }
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('lets no viewer write through any registered route', async () => {
    // A middleware on every method (the inbox's CORS) registers CONNECT, TRACE and the like, which no
    // HTTP client sends to an API; the writes are these four.
    // The inbox's end-user routes take an inbox token, never a user (DESIGN §7.7): inbox.e2e checks them.
    const writes = registeredRoutes(ctx).filter(
      (r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && !r.path.startsWith('/inbox/'),
    );
    expect(writes.length).toBeGreaterThan(30);
    const checked: string[] = [];
    // The one write every user may make: their own password.
    const ownAccount = ['POST /api/users/self/password'];
    for (const { method, path } of writes) {
      if (ownAccount.includes(`${method} ${path}`)) continue;
      const url = concrete(path);
      // Public routes (tracking, token, inbox) answer without credentials; all others must refuse a viewer.
      const anonymous = await ctx.api(method, url, {}, { auth: null });
      if (anonymous.status !== 401) continue;
      const res = await ctx.api(
        method,
        url,
        { name: 'x', username: 'x', password: 'xxxxxxxxxx' },
        {
          auth: users.viewer,
        },
      );
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
      expect(res.body.errors[0].code).toBe(403);
      checked.push(`${method} ${path}`);
    }
    expect(checked).toEqual(expect.arrayContaining(['DELETE /api/contacts/:id/delete', 'POST /api/users/new']));
  });

  it('lets a viewer read', async () => {
    for (const path of ['/api/messages', '/api/contacts?limit=1', '/api/channels', '/api/users/self']) {
      expect({ path, status: (await ctx.api('GET', path, undefined, { auth: users.viewer })).status }).toEqual({
        path,
        status: 200,
      });
    }
  });

  it('lets a marketer edit content and contacts but not users, clients or webhooks', async () => {
    const message = await ctx.api('POST', '/api/messages/new', { name: 'Spring' }, { auth: users.marketer });
    expect(message.status).toBe(201);
    const contact = await ctx.api(
      'PUT',
      '/api/contacts/r-1/edit',
      { email: 'r1@example.com' },
      { auth: users.marketer },
    );
    expect(contact.status).toBe(201);
    expect((await ctx.api('DELETE', '/api/contacts/r-1/delete', undefined, { auth: users.marketer })).status).toBe(200);
    for (const [method, path] of [
      ['POST', '/api/users/new'],
      ['GET', '/api/users'],
      ['POST', '/api/clients/new'],
      ['POST', '/api/webhooks/new'],
    ]) {
      const res = await ctx.api(method, path, method === 'GET' ? undefined : { name: 'x' }, { auth: users.marketer });
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
  });

  it('lets an approver preview content but not edit it', async () => {
    const sms = await ctx.api('POST', '/api/smses/new', { name: 'Hi', message: 'Hi {{ contact.firstname }}' });
    expect(sms.status).toBe(201);
    const id = sms.body.sms.id;
    const preview = await ctx.api(
      'POST',
      `/api/smses/${id}/preview`,
      { fields: { firstname: 'Ada' } },
      { auth: users.approver },
    );
    expect(preview.status).toBe(200);
    const edit = await ctx.api('PATCH', `/api/smses/${id}/edit`, { name: 'Changed' }, { auth: users.approver });
    expect(edit.status).toBe(403);
    expect((await ctx.api('POST', `/api/smses/${id}/preview`, {}, { auth: users.viewer })).status).toBe(403);
  });

  it('treats usernames case-insensitively', async () => {
    expect(
      (await ctx.api('GET', '/api/users/self', undefined, { auth: basic('VERA', 'viewer-password-1') })).body.user,
    ).toMatchObject({ username: 'Vera', role: 'viewer' });
    const dup = await ctx.api('POST', '/api/users/new', { username: 'vera', password: 'another-password' });
    expect(dup.status).toBe(409);
  });

  it('lets an admin change roles and disable users, effective at once', async () => {
    const created = await ctx.api('POST', '/api/users/new', { username: 'temp', password: 'temp-password-1' });
    expect(created.body.user.role).toBe('viewer');
    const temp = basic('temp', 'temp-password-1');
    expect((await ctx.api('POST', '/api/messages/new', { name: 'x' }, { auth: temp })).status).toBe(403);
    const promoted = await ctx.api('PATCH', `/api/users/${created.body.user.id}/edit`, { role: 'marketer' });
    expect(promoted.body.user.role).toBe('marketer');
    expect((await ctx.api('POST', '/api/messages/new', { name: 'x' }, { auth: temp })).status).toBe(201);
    await ctx.api('PATCH', `/api/users/${created.body.user.id}/edit`, { disabled: true });
    expect((await ctx.api('GET', '/api/users/self', undefined, { auth: temp })).status).toBe(401);
    const bad = await ctx.api('PATCH', `/api/users/${created.body.user.id}/edit`, { role: 'owner' });
    expect(bad.status).toBe(400);
  });

  it('lets any user change their own password, proving the old one', async () => {
    await ctx.api('POST', '/api/users/new', { username: 'pat', password: 'old-password-1', role: 'approver' });
    const wrong = await ctx.api(
      'POST',
      '/api/users/self/password',
      { currentPassword: 'nope', newPassword: 'new-password-1' },
      { auth: basic('pat', 'old-password-1') },
    );
    expect(wrong.status).toBe(400);
    const ok = await ctx.api(
      'POST',
      '/api/users/self/password',
      { currentPassword: 'old-password-1', newPassword: 'new-password-1' },
      { auth: basic('pat', 'old-password-1') },
    );
    expect(ok.status).toBe(200);
    expect((await ctx.api('GET', '/api/users/self', undefined, { auth: basic('pat', 'old-password-1') })).status).toBe(
      401,
    );
    expect((await ctx.api('GET', '/api/users/self', undefined, { auth: basic('pat', 'new-password-1') })).status).toBe(
      200,
    );
  });

  it('gives API clients the role they were created with (marketer by default)', async () => {
    const token = async (role?: string) => {
      const { clientId, clientSecret } = (await ctx.api('POST', '/api/clients/new', { name: 'c', role })).body.client;
      const res = await ctx.api(
        'POST',
        '/oauth/v2/token',
        { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
        { auth: null },
      );
      return `Bearer ${res.body.access_token}`;
    };
    const marketer = await token();
    expect((await ctx.api('POST', '/api/messages/new', { name: 'x' }, { auth: marketer })).status).toBe(201);
    const viewer = await token('viewer');
    expect((await ctx.api('POST', '/api/messages/new', { name: 'x' }, { auth: viewer })).status).toBe(403);
    expect((await ctx.api('GET', '/api/users/self', undefined, { auth: viewer })).body.client.role).toBe('viewer');
  });
});
