import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { preferencesContactsGet, preferencesContactsUpsert } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { waitFor } from '@switchboard/testing';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

const PUBLIC_URL = 'http://public.switchboard.test';
const SECRET = 'send-to-stats-tracking-secret-0123456789';

/**
 * The whole path of DESIGN §7.5/§7.6 on the real NATS and PostgreSQL: a send requested over REST is
 * routed, rendered and delivered over SMTP; the open pixel, the tracked link and the one-click
 * List-Unsubscribe of the email that arrived are used as a reader would; the statistics, the
 * deliveries log, the do-not-contact list and a webhook all show it.
 */
describe('from a send to its statistics (catalog, preferences, router, sender-email, tracker, gateway)', () => {
  let ctx: GatewayTestContext;
  let smtp: SMTPServer;
  let hooks: Server;
  const mails: ParsedMail[] = [];
  const hookCalls: { body: string; signature: string }[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, done) {
        simpleParser(stream)
          .then((mail) => {
            mails.push(mail);
            done();
          })
          .catch(done);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hookCalls.push({ body, signature: String(req.headers['x-switchboard-signature']) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    ctx = await startGateway({
      services: ['catalog', 'preferences', 'router', 'sender-email', 'tracker'],
      serviceEnv: {
        SB_TRACKING_SECRET: SECRET,
        SB_PUBLIC_URL: PUBLIC_URL,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String((smtp.server.address() as AddressInfo).port),
        ROUTER_CHANNEL_WARMUP_MS: '500',
        WEBHOOK_POLL_MS: '100',
        // The webhook receiver listens on loopback, which webhooks may not reach unless allowed.
        WEBHOOK_ALLOW_HOSTS: '127.0.0.1/32',
      },
    });
  });

  afterAll(async () => {
    await ctx?.close();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    hooks?.closeAllConnections();
    await new Promise((r) => hooks?.close(r));
  });

  it('records, counts and reports every step', async () => {
    const rpc = ctx.gateway.app.get(RpcClient);
    await rpc.call(preferencesContactsUpsert, {
      contact: { id: 'eve', email: 'eve@example.org', firstname: 'Eve', lastname: 'Moneypenny' },
      mode: 'merge',
      mustExist: false,
    });
    const hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
    const hook = await ctx.api('POST', '/api/webhooks/new', { name: 'audit', webhookUrl: hookUrl, triggers: ['*'] });
    expect(hook.status).toBe(201);

    const email = await ctx.api('POST', '/api/emails/new', {
      name: 'Welcome',
      subject: 'Hello {{ contact.firstname }}',
      customHtml:
        '<html><body><p>Hi {{ contact.firstname }}</p><p><a href="https://shop.example/sale?x=1">Sale</a></p></body></html>',
      isPublished: true,
    });
    expect(email.status).toBe(201);
    const message = await ctx.api('POST', '/api/messages/new', {
      name: 'Welcome',
      isPublished: true,
      channels: { email: { channelId: email.body.email.id, isEnabled: true } },
    });
    expect(message.status).toBe(201);
    const messageId = message.body.message.id as number;

    // The router only routes to channels whose sender has announced itself.
    const send = await waitFor(async () => {
      const channels = await ctx.api('GET', '/api/channels');
      const live = channels.body.channels?.find(
        (c: { channel: string; available: boolean }) => c.channel === 'email' && c.available,
      );
      return live && (await ctx.api('POST', `/api/messages/${messageId}/contact/eve/send`, {}));
    });
    expect(send.status).toBe(202);

    const mail = await waitFor(() => mails.find((m) => m.subject === 'Hello Eve'), { timeoutMs: 20_000 });
    const local = (url: string) => url.replace(PUBLIC_URL, ctx.baseUrl);
    const html = String(mail.html);
    const pixel = local(new RegExp(`${PUBLIC_URL}/t/o/[^"]+\\.gif`).exec(html)![0]);
    const link = local(new RegExp(`${PUBLIC_URL}/t/c/[^"]+`).exec(html)![0]);
    const listUnsubscribe = mail.headerLines.find((l) => l.key === 'list-unsubscribe')!.line.replace(/\r?\n\s+/g, ' ');
    const unsubscribe = local(new RegExp(`<(${PUBLIC_URL}/u/[^>]+)>`).exec(listUnsubscribe)![1]);

    expect((await fetch(pixel)).status).toBe(200);
    const second = Math.floor(Date.now() / 1000);
    await waitFor(() => Math.floor(Date.now() / 1000) > second, { intervalMs: 50 });
    expect((await fetch(pixel)).status).toBe(200);
    const click = await fetch(link, { redirect: 'manual' });
    expect(click.headers.get('location')).toBe('https://shop.example/sale?x=1');
    const oneClick = await fetch(unsubscribe, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);

    const stats = await waitFor(async () => {
      const res = await ctx.api('GET', `/api/messages/${messageId}/stats`);
      return (
        res.body.stats?.total.unsubscribed === 1 &&
        res.body.stats.total.clicked === 1 &&
        res.body.stats.total.opened === 2 &&
        res.body.stats
      );
    });
    const figures = {
      reach: 1,
      shipments: 0,
      sent: 1,
      delivered: 0,
      failed: 0,
      bounced: 0,
      opened: 2,
      uniqueOpened: 1,
      clicked: 1,
      uniqueClicked: 1,
      unsubscribed: 1,
      complained: 0,
      deferred: 0,
      suppressed: 0,
    };
    expect(stats.total).toEqual(figures);
    expect(stats.channels).toEqual({ email: figures });

    const deliveries = await ctx.api('GET', `/api/deliveries?messageId=${messageId}`);
    expect(deliveries.body.deliveries).toEqual([
      expect.objectContaining({
        sendId: send.body.sendId,
        channel: 'email',
        status: 'unsubscribed',
        contact: { id: 'eve', email: 'eve@example.org', name: 'Eve Moneypenny' },
        opens: 2,
        clicks: 1,
        attempts: 1,
        routedAt: expect.any(String),
        sentAt: expect.any(String),
        openedAt: expect.any(String),
        clickedAt: expect.any(String),
        unsubscribedAt: expect.any(String),
      }),
    ]);
    expect((await ctx.api('GET', '/api/deliveries?search=moneyp')).body.deliveries).toHaveLength(1);

    const contact = await rpc.call(preferencesContactsGet, { id: 'eve' });
    expect(contact.doNotContact).toEqual([expect.objectContaining({ channel: 'email', reason: 1 })]);

    const types = await waitFor(() => {
      const seen = hookCalls.map((c) => (JSON.parse(c.body) as { type: string }).type).sort();
      return seen.length >= 6 && seen;
    });
    expect(types).toEqual([
      'delivery.clicked',
      'delivery.opened',
      'delivery.opened',
      'delivery.sent',
      'delivery.unsubscribed',
      'routing.routed',
    ]);
    for (const call of hookCalls) {
      const [t, v1] = call.signature.split(',').map((p) => p.split('=')[1]);
      expect(createHmac('sha256', hook.body.webhook.secret).update(`${t}.${call.body}`).digest('hex')).toBe(v1);
    }
  });

  it('sends a test of an unpublished email now, which neither the deliveries log nor a webhook hears of', async () => {
    const draft = await ctx.api('POST', '/api/emails/new', {
      name: 'Draft',
      subject: 'Try {{ contact.firstname }}',
      customHtml: '<p>Draft</p>',
      isPublished: false,
    });
    const logged = (await ctx.api('GET', '/api/deliveries')).body.deliveries.length;
    const heard = hookCalls.length;

    const test = await ctx.api('POST', `/api/emails/${draft.body.email.id}/test`, {
      address: 'qa@example.org',
      fields: { firstname: 'QA' },
    });
    expect(test.status).toBe(200);
    expect(test.body.test).toEqual({
      address: 'qa@example.org',
      channel: 'email',
      provider: 'smtp',
      providerMessageId: expect.stringMatching(/^<test-/),
    });
    const mail = await waitFor(() => mails.find((m) => m.subject === 'Try QA'));
    expect(mail.messageId).toBe(test.body.test.providerMessageId);
    expect(mail.to).toMatchObject({ text: 'qa@example.org' });

    const bad = await ctx.api('POST', `/api/emails/${draft.body.email.id}/test`, { address: 'qa' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].message).toBe('address: A valid email address is required.');
    expect((await ctx.api('POST', '/api/emails/999999/test', { address: 'qa@example.org' })).status).toBe(404);

    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await ctx.api('GET', '/api/deliveries')).body.deliveries).toHaveLength(logged);
    expect(hookCalls).toHaveLength(heard);
  });
});
