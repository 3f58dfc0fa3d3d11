import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  trackerMessageStats,
  trackerWebhooksCreate,
  trackerWebhooksDelete,
  trackerWebhooksGet,
  trackerWebhooksList,
  trackerWebhooksUpdate,
} from '@switchboard/contracts';
import { waitFor } from '@switchboard/testing';
import { SIGNATURE_HEADER, verifyWebhook } from '../src/webhooks/webhook-signature';
import { Script, startTracker, type Harness } from './support/tracker-harness';

interface Received {
  path: string;
  body: { id: string; type: string; occurredAt: string; data: Record<string, unknown> };
  raw: string;
  signature: string;
  event: string;
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => resolve(raw));
  });

describe('tracker: outbound webhooks', () => {
  let h: Harness;
  let server: Server;
  let base: string;
  const received: Received[] = [];
  const failedOnce = new Set<string>();

  beforeAll(async () => {
    h = await startTracker({ concurrency: 2, timeoutMs: 1_000, maxAttempts: 3 });
    server = createServer((req, res) => {
      void read(req).then((raw) => {
        const path = req.url ?? '';
        if (path === '/slow') return; // never answers: every attempt times out
        if (path === '/down') return res.writeHead(503).end();
        const body = JSON.parse(raw) as Received['body'];
        // The first attempt of the first event fails: the dispatcher must try it again.
        if (path === '/good' && body.type === 'routing.routed' && !failedOnce.has(body.id)) {
          failedOnce.add(body.id);
          return res.writeHead(500).end();
        }
        received.push({
          path,
          body,
          raw,
          signature: String(req.headers[SIGNATURE_HEADER]),
          event: String(req.headers['x-switchboard-event']),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await h?.close();
  });

  it('manages webhooks', async () => {
    await expect(
      h.rpc.call(trackerWebhooksCreate, { webhook: { name: 'x', webhookUrl: 'ftp://nope', triggers: [] } as never }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      details: {
        'webhook.webhookUrl': ['A valid http(s) URL is required.'],
        'webhook.triggers': ['At least one trigger is required.'],
      },
    });
    const created = await h.rpc.call(trackerWebhooksCreate, {
      webhook: { name: 'temp', webhookUrl: `${base}/temp`, triggers: ['*'] },
      createdBy: 'admin',
    });
    expect(created).toMatchObject({
      name: 'temp',
      isPublished: true,
      createdBy: 'admin',
      pending: 0,
      failed: 0,
      description: null,
    });
    expect(created.secret!.length).toBeGreaterThanOrEqual(32);
    const patched = await h.rpc.call(trackerWebhooksUpdate, {
      id: created.id!,
      webhook: { description: 'd', isPublished: false },
    });
    expect(patched).toMatchObject({ name: 'temp', description: 'd', isPublished: false });
    expect(patched.secret).toBeUndefined();
    const replaced = await h.rpc.call(trackerWebhooksUpdate, {
      id: created.id!,
      webhook: { name: 'temp2', webhookUrl: `${base}/temp`, triggers: ['delivery.*'] },
      replace: true,
    });
    expect(replaced).toMatchObject({ name: 'temp2', description: null, isPublished: true, triggers: ['delivery.*'] });
    await expect(
      h.rpc.call(trackerWebhooksUpdate, { id: created.id!, webhook: { name: 'only' }, replace: true }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    expect(await h.rpc.call(trackerWebhooksDelete, { id: created.id! })).toMatchObject({ id: null, name: 'temp2' });
    await expect(h.rpc.call(trackerWebhooksGet, { id: created.id! })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('signs and delivers matching events, retries failures, and a stuck endpoint holds back nobody', async () => {
    const good = await h.rpc.call(trackerWebhooksCreate, {
      webhook: { name: 'good', webhookUrl: `${base}/good`, triggers: ['*'] },
    });
    const opens = await h.rpc.call(trackerWebhooksCreate, {
      webhook: { name: 'opens', webhookUrl: `${base}/opens`, triggers: ['delivery.opened'] },
    });
    const slow = await h.rpc.call(trackerWebhooksCreate, {
      webhook: { name: 'slow', webhookUrl: `${base}/slow`, triggers: ['*'] },
    });
    const down = await h.rpc.call(trackerWebhooksCreate, {
      webhook: { name: 'down', webhookUrl: `${base}/down`, triggers: ['routing.*'] },
    });
    expect((await h.rpc.call(trackerWebhooksList, {})).total).toBe(4);

    const s = new Script(h.env.names);
    const send = { sendId: 'w1', contactId: 'wendy', messageId: 3 };
    const events = [
      s.routed(send, 'email', 'dw1', 0),
      s.delivery(send, 'email', 'dw1', 'sent', 1),
      s.delivery(send, 'email', 'dw1', 'opened', 2),
      s.delivery(send, 'email', 'dw1', 'opened', 3),
      s.delivery(send, 'email', 'dw1', 'clicked', 4, { url: 'https://example.com/' }),
    ];
    await h.publisher.publishAll(events);

    const atGood = await waitFor(() => {
      const got = received.filter((r) => r.path === '/good');
      return got.length === events.length && got;
    });
    // Everything reached the good endpoint while the stuck one still had its deliveries queued.
    expect((await h.rpc.call(trackerWebhooksGet, { id: slow.id! })).pending).toBeGreaterThan(0);
    expect((await h.rpc.call(trackerMessageStats, { messageId: 3 })).total).toMatchObject({
      sent: 1,
      opened: 2,
      clicked: 1,
    });

    expect(atGood.map((r) => r.body.type).sort()).toEqual([
      'delivery.clicked',
      'delivery.opened',
      'delivery.opened',
      'delivery.sent',
      'routing.routed',
    ]);
    for (const r of atGood) {
      expect(verifyWebhook(good.secret!, r.raw, r.signature)).toBe(true);
      expect(verifyWebhook(good.secret!, r.raw.replace('wendy', 'mallory'), r.signature)).toBe(false);
      expect(r.event).toBe(r.body.type);
      expect(r.body.data).toMatchObject({ sendId: 'w1', contactId: 'wendy', messageId: 3 });
    }
    expect(failedOnce.size).toBe(1);
    expect(atGood.find((r) => r.body.type === 'delivery.clicked')!.body.data.url).toBe('https://example.com/');

    const atOpens = await waitFor(() => {
      const got = received.filter((r) => r.path === '/opens');
      return got.length === 2 && got;
    });
    expect(
      atOpens.every((r) => r.body.type === 'delivery.opened' && verifyWebhook(opens.secret!, r.raw, r.signature)),
    ).toBe(true);

    // The endpoint answering 503 is given up after its attempts.
    await waitFor(async () => {
      const w = await h.rpc.call(trackerWebhooksGet, { id: down.id! });
      return w.failed === 1 && w.pending === 0;
    });
    const [dead] = await h
      .db()
      .query('SELECT attempts, last_status FROM tracker.webhook_deliveries WHERE webhook_id = $1', [down.id]);
    expect(dead).toEqual({ attempts: 3, last_status: 503 });
    expect((await h.rpc.call(trackerWebhooksGet, { id: good.id! })).pending).toBe(0);
  });
});
