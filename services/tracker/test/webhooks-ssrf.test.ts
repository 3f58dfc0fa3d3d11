import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { trackerWebhooksCreate, trackerWebhooksGet, trackerWebhooksUpdate } from '@switchboard/contracts';
import { waitFor } from '@switchboard/testing';
import { Script, startTracker, type Harness } from './support/tracker-harness';

/** Issue #23 point 3: webhooks never reach internal addresses, on save nor on connect (DNS included). */
describe('tracker: webhooks and internal addresses', () => {
  let h: Harness;
  let server: Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    h = await startTracker({ allowHosts: [], maxAttempts: 5 });
    server = createServer((_req, res) => {
      hits++;
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await h?.close();
  });

  it.each([
    'http://127.0.0.1:5432/',
    'http://localhost:4222/',
    'http://[::1]/',
    'http://0.0.0.0/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://[::ffff:127.0.0.1]/',
  ])('refuses to save %s', async (webhookUrl) => {
    await expect(
      h.rpc.call(trackerWebhooksCreate, { webhook: { name: 'x', webhookUrl, triggers: ['*'] } }),
    ).rejects.toMatchObject({ code: 'VALIDATION', details: { webhookUrl: [expect.stringContaining('internal')] } });
  });

  it('refuses an edit to an internal address', async () => {
    const hook = await h.rpc.call(trackerWebhooksCreate, {
      webhook: { name: 'ok', webhookUrl: 'https://hooks.example.com/in', triggers: ['*'], isPublished: false },
    });
    expect(hook.secret).toEqual(expect.any(String));
    await expect(
      h.rpc.call(trackerWebhooksUpdate, {
        id: hook.id!,
        webhook: { webhookUrl: 'http://127.0.0.1/' },
        replace: false,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    expect((await h.rpc.call(trackerWebhooksGet, { id: hook.id! })).secret).toBeUndefined();
  });

  it('refuses at connect time a name that resolves inward (a re-pointed DNS name), once, without calling it', async () => {
    const hook = await h.rpc.call(trackerWebhooksCreate, {
      webhook: { name: 'rebound', webhookUrl: 'https://hooks.example.com/in', triggers: ['*'] },
    });
    // As if hooks.example.com had been re-pointed inward: the machine's own name resolves to its
    // loopback (or container) address, which only the connect-time lookup can see.
    await h
      .db()
      .query('UPDATE tracker.webhooks SET webhook_url = $2 WHERE id = $1', [
        hook.id,
        `http://${hostname()}:${port}/in`,
      ]);
    const literal = await h.rpc.call(trackerWebhooksCreate, {
      webhook: { name: 'literal', webhookUrl: 'https://hooks.example.com/in', triggers: ['*'] },
    });
    await h
      .db()
      .query('UPDATE tracker.webhooks SET webhook_url = $2 WHERE id = $1', [
        literal.id,
        `http://2130706433:${port}/in`,
      ]);

    const s = new Script(h.env.names);
    await h.publisher.publishAll([s.routed({ sendId: 's1', contactId: 'c1', messageId: 1 }, 'email', 'd1', 0)]);
    for (const [id, reason] of [
      [hook.id!, new RegExp(`^refused ${hostname()}: \\S+ is a (loopback|private) address`)],
      [literal.id!, /^refused: 127\.0\.0\.1 is a loopback address/],
    ] as const) {
      await waitFor(async () => (await h.rpc.call(trackerWebhooksGet, { id })).failed === 1);
      const [row] = await h
        .db()
        .query('SELECT attempts, last_error FROM tracker.webhook_deliveries WHERE webhook_id = $1', [id]);
      expect(row).toEqual({ attempts: 1, last_error: expect.stringMatching(reason) });
    }
    expect(hits).toBe(0);
  });
});
