import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import webpush from 'web-push';
import type { DeliveryEvent } from '@switchboard/contracts';
import { NATS_CONNECTION } from '@switchboard/messaging';
import type { RunningService } from '@switchboard/service-kit';
import { SubjectRecorder, waitFor } from '@switchboard/testing';
import { startDevProviders, type DevProviders, type WebPushSubscription } from '../../dev-providers/src';
import { startGateway, startNamedService, type GatewayTestContext } from './support/gateway-test';

const SECRET = 'feedback-push-tracking-secret-0123456789';

interface DeliveryRowView {
  sendId: string;
  channel: string | null;
  status: string;
  failureReason: string | null;
  error: { code: string; message: string; permanent: boolean } | null;
  bouncedAt: string | null;
}

/**
 * Push removals on the real path (DESIGN §6): sender-push pushes to the loopback push services,
 * which answer 404/410 (web push, VAPID checked) or UNREGISTERED (FCM v1, OAuth checked) for a dead
 * subscription or device; the sender reports each as a hard bounce naming it (meta.removedAddress)
 * through the feedback stream; preferences drops that target from the contact (not the channel),
 * the tracker shows the bounce, and a send no target took is re-routed (DESIGN §4.7).
 */
describe('push removals become bounces, drop the dead target and re-route the send when none is left', () => {
  let dev: DevProviders;
  let ctx: GatewayTestContext;
  let push: RunningService;
  let dir: string;
  let bounces: SubjectRecorder<DeliveryEvent>;
  let sent: SubjectRecorder<DeliveryEvent>;
  let webMessage: number;
  let mobileMessage: number;
  let n = 0;
  const vapid = webpush.generateVAPIDKeys();
  let hooks: Server;
  const hookBodies: Array<{ type: string; data: DeliveryEvent }> = [];

  beforeAll(async () => {
    dev = await startDevProviders();
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hookBodies.push(JSON.parse(body) as { type: string; data: DeliveryEvent });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    dir = mkdtempSync(join(tmpdir(), 'feedback-push-'));
    writeFileSync(join(dir, 'ca.pem'), dev.webPush.caPem);
    writeFileSync(join(dir, 'service-account.json'), JSON.stringify(dev.fcm.serviceAccount));
    ctx = await startGateway({
      services: ['catalog', 'preferences', 'router', 'tracker', 'sender-email'],
      serviceEnv: {
        SB_TRACKING_SECRET: SECRET,
        SMTP_HOST: dev.smtp.host,
        SMTP_PORT: String(dev.smtp.port),
        ROUTER_CHANNEL_WARMUP_MS: '500',
        WEBHOOK_POLL_MS: '100',
        // The webhook receiver listens on loopback, which webhooks may not reach unless allowed.
        WEBHOOK_ALLOW_HOSTS: '127.0.0.1/32',
      },
    });
    const hook = await ctx.api('POST', '/api/webhooks/new', {
      name: 'bounces',
      webhookUrl: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`,
      triggers: ['delivery.bounced'],
    });
    expect(hook.status).toBe(201);
    push = await startNamedService('sender-push', ctx.env, {
      SB_TRACKING_SECRET: SECRET,
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: 'mailto:ops@switchboard.test',
      WEBPUSH_CA_FILE: join(dir, 'ca.pem'),
      FCM_BASE_URL: dev.httpBaseUrl,
      FCM_SERVICE_ACCOUNT_FILE: join(dir, 'service-account.json'),
    });
    const nc = ctx.gateway.app.get<NatsConnection>(NATS_CONNECTION);
    bounces = new SubjectRecorder<DeliveryEvent>(nc, [ctx.env.names.subjects.delivery('*', 'bounced')]);
    sent = new SubjectRecorder<DeliveryEvent>(nc, [ctx.env.names.subjects.delivery('*', 'sent')]);

    const email = await ctx.api('POST', '/api/emails/new', {
      name: 'Push fallback',
      subject: 'Hello {{ contact.firstname }}',
      customHtml: '<p>Hi</p>',
      isPublished: true,
    });
    const content = async (mobile: boolean) =>
      (
        await ctx.api('POST', '/api/notifications/new', {
          name: mobile ? 'Phones' : 'Browsers',
          heading: 'Hi {{ contact.firstname }}',
          message: 'Something new',
          mobile,
          isPublished: true,
        })
      ).body.notification.id as number;
    const message = async (channel: 'notification' | 'mobile_notification', contentId: number) =>
      (
        await ctx.api('POST', '/api/messages/new', {
          name: `Push feedback ${channel}`,
          isPublished: true,
          channels: {
            [channel]: { channelId: contentId, isEnabled: true },
            email: { channelId: email.body.email.id, isEnabled: true },
          },
        })
      ).body.message.id as number;
    webMessage = await message('notification', await content(false));
    mobileMessage = await message('mobile_notification', await content(true));
    await waitFor(
      async () => {
        const channels = (await ctx.api('GET', '/api/channels')).body.channels as Array<{
          channel: string;
          available: boolean;
        }>;
        return ['notification', 'mobile_notification', 'email'].every((c) =>
          channels?.some((x) => x.channel === c && x.available),
        );
      },
      { timeoutMs: 30_000 },
    );
  });

  afterAll(async () => {
    bounces?.stop();
    sent?.stop();
    await push?.close();
    await ctx?.close();
    await dev?.close();
    hooks?.closeAllConnections();
    await new Promise((r) => hooks?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const subscription = (): { endpoint: string; keys: WebPushSubscription['keys'] } => {
    const { endpoint, keys } = dev.webPush.createSubscription();
    return { endpoint, keys };
  };

  const newContact = async (fields: Record<string, unknown>): Promise<string> => {
    const id = `pf-${++n}`;
    const res = await ctx.api('PUT', `/api/contacts/${id}/edit`, { firstname: `P${n}`, ...fields });
    expect(res.status).toBeLessThan(300);
    return id;
  };

  const send = async (messageId: number, contactId: string): Promise<string> => {
    const res = await ctx.api('POST', `/api/messages/${messageId}/contact/${contactId}/send`, {});
    expect(res.status).toBe(202);
    return res.body.sendId as string;
  };

  const bouncesOf = (sendId: string, count: number) =>
    waitFor(
      () => {
        const found = bounces.messages.map((m) => m.data).filter((e) => e.sendId === sendId);
        return found.length >= count && found;
      },
      { timeoutMs: 30_000, message: `send ${sendId} never bounced ${count} time(s)` },
    );

  const sentEventOf = (sendId: string) =>
    waitFor(() => sent.messages.map((m) => m.data).find((e) => e.sendId === sendId), {
      timeoutMs: 30_000,
      message: `send ${sendId} never sent`,
    });

  /** The router's record of a send, once it matches (the router hears of each event on its own). */
  const sendRecord = (sendId: string, matches: (record: any) => boolean) =>
    waitFor(
      async () => {
        const record = (await ctx.api('GET', `/api/sends/${sendId}`)).body.send;
        return record && matches(record) ? record : undefined;
      },
      { timeoutMs: 30_000, message: `the record of send ${sendId} never matched` },
    );

  const contact = async (id: string) => (await ctx.api('GET', `/api/contacts/${id}`)).body.contact;

  const deliveryRow = (messageId: number, sendId: string, matches: (row: DeliveryRowView) => boolean) =>
    waitFor(
      async () => {
        const rows = (await ctx.api('GET', `/api/deliveries?messageId=${messageId}&limit=100`)).body
          .deliveries as DeliveryRowView[];
        const row = rows.find((r) => r.sendId === sendId);
        return row && matches(row) ? row : undefined;
      },
      { timeoutMs: 30_000, message: `send ${sendId} never reached the expected row` },
    );

  const stats = (messageId: number, channel: string, matches: (figures: Record<string, number>) => boolean) =>
    waitFor(
      async () => {
        const figures = (await ctx.api('GET', `/api/messages/${messageId}/stats`)).body.stats?.channels?.[channel];
        return figures && matches(figures) ? (figures as Record<string, number>) : undefined;
      },
      { timeoutMs: 30_000, message: `stats of ${channel} never matched` },
    );

  it('web push 410 (told through POST /dev/control): a bounce naming the subscription, which the contact loses, and the send re-routed to email', async () => {
    const only = subscription();
    const id = await newContact({
      email: 'gone-browser@example.org',
      webPushSubscriptions: [only],
      preferredChannel: 'notification',
    });
    const control = await fetch(`${dev.httpBaseUrl}/dev/control`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'webpush', feedbackNext: 1, feedback: 'hard_bounce' }),
    });
    expect(control.status).toBe(200);
    const sendId = await send(webMessage, id);

    const [bounce] = await bouncesOf(sendId, 1);
    expect(bounce).toMatchObject({
      channel: 'notification',
      contactId: id,
      provider: 'webpush',
      meta: {
        source: 'webpush',
        bounce: 'hard',
        code: '410',
        removedAddress: only.endpoint,
        diagnostic: expect.stringContaining('push service answered 410'),
      },
      error: { code: '410', permanent: true },
    });
    await waitFor(async () => (await contact(id)).webPushSubscriptions.length === 0, { timeoutMs: 30_000 });
    // A dead subscription is no do-not-contact: a new subscription of this browser is welcome.
    expect((await contact(id)).doNotContact).toEqual([]);

    // No subscription took it: the send went on to email.
    await waitFor(() => dev.smtp.messages.some((m) => m.envelope.rcptTo.includes('gone-browser@example.org')), {
      timeoutMs: 30_000,
    });
    const record = await sendRecord(sendId, (r) => r.dispatches[1]?.status === 'sent');
    expect(record.dispatches.map((d: { channel: string; status: string }) => [d.channel, d.status])).toEqual([
      ['notification', 'bounced'],
      ['email', 'sent'],
    ]);
    expect(record.dispatches[0].events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'failed', error: expect.objectContaining({ code: 'subscription_gone' }) }),
        expect.objectContaining({ event: 'bounced', targetRemoved: true }),
      ]),
    );
    await deliveryRow(webMessage, sendId, (r) => r.channel === 'email' && r.status === 'sent');
    await stats(webMessage, 'notification', (f) => f.bounced >= 1);
  });

  it('web push 404 for one of two subscriptions: the other took it and keeps the next send', async () => {
    const [dead, alive] = [subscription(), subscription()];
    dev.webPush.forgetSubscription(dead.endpoint);
    const id = await newContact({ webPushSubscriptions: [dead, alive], preferredChannel: 'notification' });
    const sendId = await send(webMessage, id);

    const [bounce] = await bouncesOf(sendId, 1);
    expect(bounce.meta).toMatchObject({ code: '404', removedAddress: dead.endpoint });
    expect((await sentEventOf(sendId)).meta).toMatchObject({ subscriptions: 2, delivered: 1, removed: 1 });
    await waitFor(
      async () => {
        const subscriptions = (await contact(id)).webPushSubscriptions as Array<{ endpoint: string }>;
        return subscriptions.length === 1 && subscriptions[0].endpoint === alive.endpoint;
      },
      { timeoutMs: 30_000 },
    );
    // The message reached the contact: the log says sent, and when the dead subscription bounced.
    const row = await deliveryRow(webMessage, sendId, (r) => r.bouncedAt !== null);
    expect(row).toMatchObject({ channel: 'notification', status: 'sent', error: null });
    const { dispatches } = await sendRecord(sendId, (r) => r.dispatches[0]?.events.length >= 2);
    expect(dispatches[0]).toMatchObject({ channel: 'notification', status: 'sent' });

    const next = await send(webMessage, id);
    expect((await sentEventOf(next)).meta).toMatchObject({ subscriptions: 1, delivered: 1, removed: 0 });
    expect(dev.webPush.messages.filter((m) => m.endpoint === alive.endpoint)).toHaveLength(2);
    expect(dev.webPush.messages.filter((m) => m.endpoint === dead.endpoint)).toHaveLength(0);
  });

  it('FCM UNREGISTERED on the only device of a contact with no other channel: the log keeps the bounce, with the re-route’s reason', async () => {
    const token = `fcm-only-${'x'.repeat(120)}`;
    const id = await newContact({
      mobileDevices: [{ platform: 'android', token }],
      preferredChannel: 'mobile_notification',
    });
    dev.control.apply({ provider: 'fcm', feedbackNext: 1, feedback: 'hard_bounce' });
    const sendId = await send(mobileMessage, id);

    const [bounce] = await bouncesOf(sendId, 1);
    expect(bounce).toMatchObject({
      channel: 'mobile_notification',
      provider: 'fcm',
      meta: { source: 'fcm', bounce: 'hard', code: 'UNREGISTERED', removedAddress: token },
    });
    await waitFor(async () => (await contact(id)).mobileDevices.length === 0, { timeoutMs: 30_000 });

    // The re-route found nothing (email: no address); the send still reads bounced, with why it ended there.
    // (The sender's failed, which re-routes, and the bounce, from the feedback stream, arrive in either order.)
    const row = await deliveryRow(mobileMessage, sendId, (r) => r.status === 'bounced' && r.failureReason !== null);
    expect(row).toMatchObject({
      channel: 'mobile_notification',
      status: 'bounced',
      failureReason: 'no_channel',
      error: { code: 'UNREGISTERED', permanent: true },
    });
    const record = await sendRecord(sendId, (r) => r.status === 'failed' && r.dispatches[0]?.status === 'bounced');
    expect(record).toMatchObject({ status: 'failed', reason: 'no_channel' });
    expect(record.dispatches).toEqual([
      expect.objectContaining({
        channel: 'mobile_notification',
        status: 'bounced',
        events: expect.arrayContaining([expect.objectContaining({ event: 'bounced', targetRemoved: true })]),
      }),
    ]);
    await stats(mobileMessage, 'mobile_notification', (f) => f.bounced >= 1);
    const hooked = await waitFor(
      () => hookBodies.find((b) => b.type === 'delivery.bounced' && b.data.sendId === sendId),
      { timeoutMs: 30_000, message: 'no webhook call for the bounce' },
    );
    expect(hooked.data.meta).toMatchObject({ removedAddress: token, code: 'UNREGISTERED' });

    // No device left: the channel is unreachable for this contact, not blocked.
    const next = await send(mobileMessage, id);
    const suppressed = await deliveryRow(mobileMessage, next, (r) => r.status === 'suppressed');
    expect(suppressed.failureReason).toBe('no_channel');
    const decision = (await ctx.api('GET', `/api/sends/${next}`)).body.send;
    expect(decision.skipped).toEqual(
      expect.arrayContaining([{ channel: 'mobile_notification', reason: 'no_address' }]),
    );
  });

  it('FCM UNREGISTERED for one of two devices: the other keeps getting the notifications', async () => {
    const [old, current] = [`fcm-old-${'y'.repeat(120)}`, `fcm-new-${'z'.repeat(120)}`];
    dev.fcm.unregisterToken(old);
    const id = await newContact({
      mobileDevices: [
        { platform: 'android', token: old },
        { platform: 'ios', token: current },
      ],
      preferredChannel: 'mobile_notification',
    });
    const sendId = await send(mobileMessage, id);
    const [bounce] = await bouncesOf(sendId, 1);
    expect(bounce.meta).toMatchObject({ code: 'UNREGISTERED', removedAddress: old });
    await waitFor(
      async () => {
        const devices = (await contact(id)).mobileDevices as Array<{ token: string }>;
        return devices.length === 1 && devices[0].token === current;
      },
      { timeoutMs: 30_000 },
    );
    expect((await contact(id)).doNotContact).toEqual([]);

    const next = await send(mobileMessage, id);
    expect((await sentEventOf(next)).meta).toMatchObject({ devices: 1, delivered: 1 });
    expect(dev.fcm.messages.filter((m) => m.target.token === current)).toHaveLength(2);
    expect(dev.fcm.messages.filter((m) => m.target.token === old)).toHaveLength(0);
    await stats(mobileMessage, 'mobile_notification', (f) => f.bounced >= 2 && f.sent >= 2);
  });
});
