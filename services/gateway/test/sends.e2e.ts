import { DeliveryEventSchema, preferencesContactsBatchUpsert } from '@switchboard/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import { EventPublisher, NATS_CONNECTION, RpcClient } from '@switchboard/messaging';
import { fakeSender, waitFor } from '@switchboard/testing';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

/** POST /api/messages/{id}/contact/{contactId}/send and GET /api/sends/{sendId}, with the real catalog, preferences and router. */
describe('/api/.../send and /api/sends (gateway + catalog + preferences + router)', () => {
  let ctx: GatewayTestContext;
  let messageId: number;
  let sender: { stop(): void };

  beforeAll(async () => {
    ctx = await startGateway({
      services: ['catalog', 'preferences', 'router'],
      serviceEnv: { ROUTER_CHANNEL_WARMUP_MS: '0' },
    });
    const nc = ctx.gateway.app.get<NatsConnection>(NATS_CONNECTION);
    sender = fakeSender(nc, ctx.env.names, 'email');
    const emailId = (await ctx.api('POST', '/api/emails/new', { name: 'Hello', subject: 'Hello' })).body.email.id;
    messageId = (
      await ctx.api('POST', '/api/messages/new', {
        name: 'Hello',
        channels: { email: { channelId: emailId, isEnabled: true } },
      })
    ).body.message.id;
    await ctx.gateway.app
      .get(RpcClient)
      .call(preferencesContactsBatchUpsert, { contacts: [{ id: 'crm:42', email: 'ada@example.com' }] });
  }, 60_000);

  afterAll(async () => {
    sender?.stop();
    await ctx?.close();
  });

  it('accepts a send with 202 and serves its decision record once routed', async () => {
    const res = await ctx.api('POST', `/api/messages/${messageId}/contact/crm:42/send`);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ sendId: expect.any(String) });
    const record = await waitFor(async () => {
      const got = await ctx.api('GET', `/api/sends/${res.body.sendId}`);
      return got.status === 200 ? got.body.send : undefined;
    });
    expect(record).toMatchObject({
      sendId: res.body.sendId,
      messageId,
      contactId: 'crm:42',
      status: 'routed',
      channel: 'email',
      candidates: ['email'],
      skipped: [],
      attempts: 1,
      deferrals: 0,
      dispatches: [{ channel: 'email', attempt: 0, events: [], resentAfterCrash: 0 }],
      resentAfterCrash: 0,
    });
  });

  it('names a send whose provider call a sender made again after a crash (resentAfterCrash)', async () => {
    const sendId = (await ctx.api('POST', `/api/messages/${messageId}/contact/crm:42/send`)).body.sendId as string;
    const routed = await waitFor(async () => {
      const got = await ctx.api('GET', `/api/sends/${sendId}`);
      return got.status === 200 ? got.body.send : undefined;
    });
    const dispatch = routed.dispatches[0];
    // What a sender publishes when its claim took over a call a crashed worker never recorded
    // (libs/channel-sdk: meta.resentAfterCrash = the attempts row's crash_resends).
    await ctx.gateway.app.get(EventPublisher).publish({
      subject: ctx.env.names.subjects.delivery('email', 'sent'),
      msgId: `${dispatch.dispatchId}:sent`,
      schema: DeliveryEventSchema,
      payload: {
        dispatchId: dispatch.dispatchId,
        sendId,
        messageId,
        contactId: 'crm:42',
        channel: 'email',
        event: 'sent',
        occurredAt: new Date().toISOString(),
        provider: 'smtp',
        meta: { attempts: 1, resentAfterCrash: 1 },
      },
    });
    const record = await waitFor(async () => {
      const got = await ctx.api('GET', `/api/sends/${sendId}`);
      return got.body.send.dispatches[0].events.length > 0 ? got.body.send : undefined;
    });
    expect(record).toMatchObject({
      resentAfterCrash: 1,
      dispatches: [{ dispatchId: dispatch.dispatchId, resentAfterCrash: 1, events: [{ event: 'sent' }] }],
    });
  });

  it('gives the same send id to a retried POST with the same Idempotency-Key', async () => {
    const send = () =>
      ctx.api('POST', `/api/messages/${messageId}/contact/crm:42/send`, undefined, {
        headers: { 'idempotency-key': 'retry-1' },
      });
    const [a, b] = [await send(), await send()];
    expect(a.status).toBe(202);
    expect(b.body.sendId).toBe(a.body.sendId);
    const other = await ctx.api('POST', `/api/messages/${messageId}/contact/crm:42/send`, undefined, {
      headers: { 'idempotency-key': 'retry-2' },
    });
    expect(other.body.sendId).not.toBe(a.body.sendId);
  });

  it('refuses a send of a message or to a contact that does not exist with 404, before accepting it', async () => {
    const notFound = { errors: [{ code: 404, message: 'Item was not found.', details: {}, type: null }] };
    for (const path of [
      '/api/messages/999999/contact/crm:42/send',
      '/api/messages/9999999999/contact/crm:42/send',
      `/api/messages/${messageId}/contact/nobody/send`,
    ]) {
      const res = await ctx.api('POST', path, { channels: ['email'] });
      expect([path, res.status, res.body]).toEqual([path, 404, notFound]);
    }
  });

  it('answers bad input in the Mautic error shape', async () => {
    expect((await ctx.api('POST', '/api/messages/abc/contact/crm:42/send')).status).toBe(404);
    expect((await ctx.api('POST', `/api/messages/${messageId}/contact/bad%20id/send`)).status).toBe(404);
    const bad = await ctx.api('POST', `/api/messages/${messageId}/contact/crm:42/send`, { channels: ['fax'] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ code: 400, details: { 'channels.0': [expect.any(String)] } });
    expect(
      (await ctx.api('POST', `/api/messages/${messageId}/contact/crm:42/send`, undefined, { auth: null })).status,
    ).toBe(401);
    const missing = await ctx.api('GET', '/api/sends/no-such-send');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ errors: [{ code: 404, message: 'Item was not found.', details: {}, type: null }] });
  });
});
