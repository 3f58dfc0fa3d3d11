import type { NatsConnection } from '@nats-io/transport-node';
import { connect } from '@nats-io/transport-node';
import {
  DispatchSchema,
  routerSendsGet,
  RoutingOutcomeSchema,
  type DeliveryEvent,
  type Dispatch,
  type RoutingOutcome,
  type SendRequested,
} from '@switchboard/contracts';
import { EventPublisher, RpcClient } from '@switchboard/messaging';
import { Pruner } from '@switchboard/persistence';
import type { RunningService } from '@switchboard/service-kit';
import { DataSource } from 'typeorm';
import {
  childEnv,
  createTestEnv,
  startTestService,
  SubjectRecorder,
  waitFor,
  waitUntilConsumersIdle,
  type TestEnv,
} from '@switchboard/testing';
import { loadRouterConfig } from '../src/router.config';
import { createRouterModule } from '../src/router.module';
import type { DecisionRecord } from '../src/routing/decision.record';
import { DecisionsRepository } from '../src/routing/decisions.repository';
import { createFakePeersModule, FakeCatalog, FakePreferences, routableMessage } from './support/fake-peers';
import { readStream } from './support/streams';

/** The router alone, against in-process stand-ins for catalog and preferences on the real NATS and PostgreSQL. */
describe('router (fake catalog + preferences)', () => {
  let env: TestEnv;
  let nc: NatsConnection;
  let peers: RunningService;
  let router: RunningService;
  let catalog: FakeCatalog;
  let prefs: FakePreferences;
  let publisher: EventPublisher;
  let rpc: RpcClient;
  let recorder: SubjectRecorder<any>;
  const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

  beforeAll(async () => {
    env = await createTestEnv();
    nc = await connect({ servers: env.natsUrl });
    publisher = new EventPublisher(nc);
    rpc = new RpcClient(nc, env.names);
    peers = await startTestService({ service: 'fake-peers', module: createFakePeersModule(env) });
    catalog = peers.app.get(FakeCatalog);
    prefs = peers.app.get(FakePreferences);
    const config = loadRouterConfig(
      childEnv(env, { ROUTER_ASSUME_CHANNELS: 'email,sms', ROUTER_CHANNEL_WARMUP_MS: '0', LOG_LEVEL: 'silent' }),
    );
    router = await startTestService({ service: 'router', module: createRouterModule(config) });
    recorder = new SubjectRecorder(nc, [env.names.subjects.dispatch('*'), env.names.subjects.routing('*')]);
  });

  afterEach(() => {
    for (const m of recorder.messages) {
      const schema = m.subject.includes('.dispatch.') ? DispatchSchema : RoutingOutcomeSchema;
      expect(schema.safeParse(m.data).error).toBeUndefined();
    }
  });

  afterAll(async () => {
    recorder?.stop();
    await router?.close();
    await peers?.close();
    await nc?.close();
    await env?.cleanup();
  });

  let seq = 0;
  function request(messageId: number, contactId: string, extra: Partial<SendRequested> = {}): SendRequested {
    const now = new Date();
    return {
      sendId: `s-${++seq}-${contactId}`,
      messageId,
      contactId,
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 7 * 86_400_000).toISOString(),
      ...extra,
    };
  }

  async function send(...requests: SendRequested[]): Promise<void> {
    await publisher.publishAll(
      requests.map((r) => ({ subject: env.names.subjects.sendRequested(), msgId: r.sendId, payload: r })),
    );
  }

  const outcomeOf = (sendId: string) =>
    recorder
      .waitForCount(1, (m) => m.subject.includes('.routing.') && m.data.sendId === sendId)
      .then((m) => m[0].data as RoutingOutcome);
  const dispatchesOf = (sendId: string) =>
    recorder.messages
      .filter((m) => m.subject.includes('.dispatch.') && m.data.sendId === sendId)
      .map((m) => m.data as Dispatch);

  it('routes to the first candidate that passes, with one dispatch and the decision record', async () => {
    catalog.messages.set(
      1,
      routableMessage(1, [
        { channel: 'email', channelId: 11 },
        { channel: 'sms', channelId: 12 },
      ]),
    );
    prefs.addresses.set('c1', { sms: '+14155550123' });
    const req = request(1, 'c1', { campaignId: '7' });
    await send(req);
    const outcome = await outcomeOf(req.sendId);
    expect(outcome).toMatchObject({
      outcome: 'routed',
      channel: 'sms',
      candidates: ['email', 'sms'],
      skipped: [{ channel: 'email', reason: 'no_address' }],
      campaignId: '7',
      attempt: 0,
      deferrals: 0,
    });
    const [dispatch] = dispatchesOf(req.sendId);
    expect(dispatch).toMatchObject({
      dispatchId: outcome.dispatchId,
      channel: 'sms',
      contentId: 12,
      contact: { id: 'c1', address: '+14155550123' },
      campaignId: '7',
    });

    const record = await rpc.call(routerSendsGet, { sendId: req.sendId });
    expect(record).toMatchObject({
      status: 'routed',
      channel: 'sms',
      attempts: 1,
      deferrals: 0,
      candidates: ['email', 'sms'],
      campaignId: '7',
    });
    expect(record.dispatches).toEqual([
      expect.objectContaining({ dispatchId: outcome.dispatchId, channel: 'sms', contentId: 12, events: [] }),
    ]);
    await expect(rpc.call(routerSendsGet, { sendId: 'nobody' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('fails unknown and unpublished messages, and messages without a live channel, without asking preferences', async () => {
    catalog.messages.set(2, routableMessage(2, [{ channel: 'email' }], { isPublished: false }));
    catalog.messages.set(3, routableMessage(3, [{ channel: 'email' }], { publishUp: inAnHour() }));
    catalog.messages.set(4, routableMessage(4, [{ channel: 'tweet' }, { channel: 'email', isEnabled: false }]));
    const calls = prefs.calls.length;
    const [missing, unpublished, notYet, noLive] = [
      request(999, 'c1'),
      request(2, 'c1'),
      request(3, 'c1'),
      request(4, 'c1'),
    ];
    await send(missing, unpublished, notYet, noLive);
    expect(await outcomeOf(missing.sendId)).toMatchObject({ outcome: 'failed', reason: 'not_found', skipped: [] });
    expect(await outcomeOf(unpublished.sendId)).toMatchObject({ outcome: 'failed', reason: 'unpublished' });
    expect(await outcomeOf(notYet.sendId)).toMatchObject({ outcome: 'failed', reason: 'unpublished' });
    expect(await outcomeOf(noLive.sendId)).toMatchObject({
      outcome: 'failed',
      reason: 'no_channel',
      candidates: [],
      skipped: [{ channel: 'tweet', reason: 'unavailable', detail: 'no deployed sender' }],
    });
    expect(prefs.calls.length).toBe(calls);
  });

  it('puts the override first, passes content availability and defers with the request attached', async () => {
    catalog.messages.set(5, routableMessage(5, [{ channel: 'email' }, { channel: 'sms', contentAvailable: false }]));
    prefs.pausedUntil.set('c5', inAnHour());
    const req = request(5, 'c5', { channels: ['sms'] });
    await send(req);
    const outcome = await outcomeOf(req.sendId);
    expect(prefs.calls.flat().find((r) => r.sendId === req.sendId)).toMatchObject({
      channels: ['sms', 'email'],
      contentUnavailable: ['sms'],
      deferrals: 0,
      attempt: 0,
    });
    expect(outcome).toMatchObject({
      outcome: 'deferred',
      retryAt: prefs.pausedUntil.get('c5'),
      request: { sendId: req.sendId, channels: ['sms'], deferrals: 0 },
    });
    expect(dispatchesOf(req.sendId)).toEqual([]);
  });

  it('fails a deferral beyond MAX_DEFERRALS', async () => {
    prefs.pausedUntil.set('c6', inAnHour());
    const req = request(5, 'c6', { deferrals: 3 });
    await send(req);
    expect(await outcomeOf(req.sendId)).toMatchObject({ outcome: 'failed', reason: 'max_deferrals', deferrals: 3 });
  });

  it('routes a redelivered request once: same decision, one dispatch in the stream', async () => {
    prefs.addresses.set('c7', { email: 'c7@example.com' });
    const req = request(1, 'c7');
    await send(req);
    await outcomeOf(req.sendId);
    // The same request again under another Nats-Msg-Id, as after a crash past the duplicate window.
    await publisher.publish({
      subject: env.names.subjects.sendRequested(),
      msgId: `${req.sendId}-again`,
      payload: req,
    });
    await waitUntilConsumersIdle(nc, env.names);
    const dispatches = (await readStream<Dispatch>(nc, env.names, env.names.subjects.dispatch('*'))).filter(
      (d) => d.data.sendId === req.sendId,
    );
    const outcomes = (await readStream<RoutingOutcome>(nc, env.names, env.names.subjects.routing('*'))).filter(
      (d) => d.data.sendId === req.sendId,
    );
    expect(dispatches).toHaveLength(1);
    expect(outcomes).toHaveLength(1);
    const record = await rpc.call(routerSendsGet, { sendId: req.sendId });
    expect(record.decisions).toHaveLength(1);
  });

  it('stores a batch of which some keys were stored before through the fallback, keeping the first decision', async () => {
    const decisions = router.app.get(DecisionsRepository);
    const decidedAt = new Date().toISOString();
    const record = (sendId: string, extra: Partial<DecisionRecord> = {}): DecisionRecord => ({
      sendId,
      attempt: 0,
      deferrals: 0,
      messageId: 1,
      // COPY's text format reserves tab, newline, carriage return and backslash: each must come back as given.
      contactId: `c\t${sendId}\n\\N\r`,
      campaignId: '7',
      campaignEventId: null,
      shipmentId: null,
      channels: ['sms', 'email'],
      excludeChannels: [],
      requestedAt: decidedAt,
      expiresAt: inAnHour(),
      outcome: 'routed',
      channel: 'sms',
      dispatchId: `d-${sendId}`,
      contentId: 3,
      candidates: ['sms', 'email'],
      skipped: [{ channel: 'email', reason: 'no_address' }],
      reason: null,
      retryAt: null,
      decidedAt,
      traceId: null,
      tokens: { '{firstname}': 'Zoë\t"quoted"\\' },
      ...extra,
    });
    const first = record('fallback-1');
    expect(await decisions.store([first])).toEqual([]);
    // The same key decided again (a redelivery, or a concurrent instance) beside two new ones.
    const again = record('fallback-1', { channel: 'email', dispatchId: 'd-other', tokens: null });
    const fresh = [record('fallback-2', { outcome: 'deferred', channel: null, dispatchId: null, retryAt: inAnHour() })];
    fresh.push(record('fallback-3', { channels: null, skipped: [], traceId: 'a'.repeat(32) }));
    expect(await decisions.store([fresh[0], again, fresh[1]])).toEqual([again]);
    expect(await decisions.findBySend('fallback-1')).toEqual([first]);
    for (const r of fresh) expect(await decisions.findBySend(r.sendId)).toEqual([r]);
    // A batch all stored before (a plain redelivery) stores nothing.
    expect(await decisions.store([again, ...fresh])).toEqual([again, ...fresh]);
  });

  it('routes a batch message of which one send was routed before: its stored dispatch again, the others once', async () => {
    catalog.messages.set(14, routableMessage(14, [{ channel: 'email' }]));
    for (const c of ['r1', 'r2', 'r3']) prefs.addresses.set(c, { email: `${c}@example.com` });
    const [before, ...others] = [request(14, 'r1'), request(14, 'r2'), request(14, 'r3')];
    await send(before);
    const first = await outcomeOf(before.sendId);
    await publisher.publish({
      subject: env.names.subjects.sendRequested(),
      msgId: 'batch-with-a-redelivery',
      payload: { sends: [...others, before] },
    });
    for (const r of others) expect(await outcomeOf(r.sendId)).toMatchObject({ outcome: 'routed', channel: 'email' });
    await waitFor(() => dispatchesOf(before.sendId).length === 2);
    expect(dispatchesOf(before.sendId).map((d) => d.dispatchId)).toEqual([first.dispatchId, first.dispatchId]);
    await waitUntilConsumersIdle(nc, env.names);
    for (const r of others) expect(dispatchesOf(r.sendId)).toHaveLength(1);
    for (const r of [before, ...others])
      expect((await rpc.call(routerSendsGet, { sendId: r.sendId })).decisions).toHaveLength(1);
  });

  it('answers a redelivered request with its stored decision even when the message changed since', async () => {
    catalog.messages.set(10, routableMessage(10, [{ channel: 'email' }]));
    prefs.addresses.set('c10', { email: 'c10@example.com' });
    const req = request(10, 'c10');
    await send(req);
    const first = await outcomeOf(req.sendId);
    catalog.messages.set(10, routableMessage(10, [{ channel: 'email' }], { isPublished: false, version: 2 }));
    await publisher.publish({
      subject: env.names.subjects.catalogChanged(),
      msgId: 'm10v2',
      payload: { kind: 'message', id: 10, version: 2 },
    });
    // As if the router had died after storing the decision and before its publishes were acked.
    await publisher.publish({
      subject: env.names.subjects.sendRequested(),
      msgId: `${req.sendId}-redelivered`,
      payload: req,
    });
    const outcomes = await recorder.waitForCount(
      2,
      (m) => m.subject.includes('.routing.') && m.data.sendId === req.sendId,
    );
    expect(outcomes.map((m) => [m.data.outcome, m.headers['Nats-Msg-Id']])).toEqual([
      ['routed', `${req.sendId}:0:0:routed`],
      ['routed', `${req.sendId}:0:0:routed`],
    ]);
    await waitFor(() => dispatchesOf(req.sendId).length === 2);
    expect(dispatchesOf(req.sendId).map((d) => d.dispatchId)).toEqual([first.dispatchId, first.dispatchId]);
  });

  it('re-routes a permanent failure to the next channel and records the delivery events', async () => {
    catalog.messages.set(
      8,
      routableMessage(8, [
        { channel: 'email', channelId: 81 },
        { channel: 'sms', channelId: 82 },
      ]),
    );
    prefs.addresses.set('c8', { email: 'c8@example.com', sms: '+14155550188' });
    const req = request(8, 'c8');
    await send(req);
    const first = await outcomeOf(req.sendId);
    expect(first).toMatchObject({ outcome: 'routed', channel: 'email' });
    const base = {
      dispatchId: first.dispatchId!,
      sendId: req.sendId,
      messageId: 8,
      contactId: 'c8',
      channel: 'email' as const,
    };
    const transient: DeliveryEvent = {
      ...base,
      event: 'failed',
      occurredAt: new Date().toISOString(),
      error: { code: '421', message: 'try later', permanent: false },
    };
    const permanent: DeliveryEvent = {
      ...base,
      event: 'failed',
      occurredAt: new Date().toISOString(),
      error: { code: '550', message: 'no such user', permanent: true },
    };
    await publisher.publish({
      subject: env.names.subjects.delivery('email', 'failed'),
      msgId: 'ev-transient',
      payload: transient,
    });
    await publisher.publish({
      subject: env.names.subjects.delivery('email', 'failed'),
      msgId: 'ev-permanent',
      payload: permanent,
    });
    await publisher.publish({
      subject: env.names.subjects.delivery('email', 'failed'),
      msgId: 'ev-permanent',
      payload: permanent,
    });

    const [, second] = await recorder.waitForCount(
      2,
      (m) => m.subject.endsWith('.routing.routed.v1') && m.data.sendId === req.sendId,
    );
    expect(second.data).toMatchObject({
      outcome: 'routed',
      channel: 'sms',
      attempt: 1,
      skipped: [{ channel: 'email', reason: 'excluded' }],
    });
    expect(second.data.dispatchId).not.toBe(first.dispatchId);
    expect(dispatchesOf(req.sendId).map((d) => d.channel)).toEqual(['email', 'sms']);
    expect(prefs.calls.flat().find((r) => r.sendId === req.sendId && r.attempt === 1)).toMatchObject({
      excludeChannels: ['email'],
    });

    await waitUntilConsumersIdle(nc, env.names);
    const record = await rpc.call(routerSendsGet, { sendId: req.sendId });
    expect(record).toMatchObject({ status: 'routed', channel: 'sms', attempts: 2 });
    expect(record.dispatches.map((d) => [d.channel, d.attempt, d.events.map((e) => e.error?.permanent)])).toEqual([
      ['email', 0, [false, true]],
      ['sms', 1, []],
    ]);
  });

  it("scrubs clicked URLs and provider error texts of an erased contact's sends", async () => {
    catalog.messages.set(11, routableMessage(11, [{ channel: 'email', channelId: 111 }]));
    prefs.addresses.set('c11', { email: 'c11@example.com' });
    const req = request(11, 'c11');
    await send(req);
    const routed = await outcomeOf(req.sendId);
    expect(routed).toMatchObject({ outcome: 'routed', channel: 'email' });
    const base = {
      dispatchId: routed.dispatchId!,
      sendId: req.sendId,
      messageId: 11,
      contactId: 'c11',
      channel: 'email' as const,
      occurredAt: new Date().toISOString(),
    };
    await publisher.publish({
      subject: env.names.subjects.delivery('email', 'clicked'),
      msgId: 'ev11-click',
      payload: { ...base, event: 'clicked', url: 'https://shop.example/?u=c11@example.com' },
    });
    await publisher.publish({
      subject: env.names.subjects.delivery('email', 'failed'),
      msgId: 'ev11-failed',
      payload: {
        ...base,
        event: 'failed',
        error: { code: '451', message: '451 mailbox c11@example.com busy', permanent: false },
      },
    });
    await waitUntilConsumersIdle(nc, env.names);
    await publisher.publish({
      subject: env.names.subjects.contactErased(),
      msgId: 'erase-c11',
      payload: { contactId: 'c11', erasedAt: new Date().toISOString() },
    });
    await waitUntilConsumersIdle(nc, env.names);
    const record = await rpc.call(routerSendsGet, { sendId: req.sendId });
    expect(record.dispatches[0].events.map((e) => [e.event, e.url, e.error])).toEqual([
      ['clicked', null, null],
      ['failed', null, { code: '451', message: '', permanent: false }],
    ]);
  });

  it('prunes decision records and delivery events past ROUTER_RECORDS_RETENTION_DAYS, keeping newer ones', async () => {
    catalog.messages.set(20, routableMessage(20, [{ channel: 'email' }]));
    prefs.addresses.set('c20', { email: 'c20@example.com' });
    prefs.addresses.set('c21', { email: 'c21@example.com' });
    const old = request(20, 'c20');
    const recent = request(20, 'c21');
    await send(old);
    await send(recent);
    const routed = await outcomeOf(old.sendId);
    await outcomeOf(recent.sendId);
    const sent: DeliveryEvent = {
      dispatchId: routed.dispatchId!,
      sendId: old.sendId,
      messageId: 20,
      contactId: 'c20',
      channel: 'email',
      event: 'sent',
      occurredAt: new Date().toISOString(),
    };
    await publisher.publish({
      subject: env.names.subjects.delivery('email', 'sent'),
      msgId: 'ev-prune',
      payload: sent,
    });
    await waitFor(
      async () => (await rpc.call(routerSendsGet, { sendId: old.sendId })).dispatches[0]?.events.length === 1,
    );

    const db = router.app.get(DataSource);
    await db.query(`UPDATE router.decisions SET decided_at = now() - interval '91 days' WHERE send_id = $1`, [
      old.sendId,
    ]);
    await db.query(`UPDATE router.delivery_events SET received_at = now() - interval '91 days' WHERE send_id = $1`, [
      old.sendId,
    ]);
    expect(await router.app.get(Pruner).prune()).toEqual({ 'router.decisions': 1, 'router.delivery_events': 1 });
    await expect(rpc.call(routerSendsGet, { sendId: old.sendId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await rpc.call(routerSendsGet, { sendId: recent.sendId })).toMatchObject({ status: 'routed' });
  });

  it('drops a cached message when catalog announces a change', async () => {
    catalog.messages.set(9, routableMessage(9, [{ channel: 'email' }]));
    prefs.addresses.set('c9', { email: 'c9@example.com' });
    const before = request(9, 'c9');
    await send(before);
    expect(await outcomeOf(before.sendId)).toMatchObject({ outcome: 'routed' });
    catalog.messages.set(9, routableMessage(9, [{ channel: 'email' }], { isPublished: false, version: 2 }));
    await publisher.publish({
      subject: env.names.subjects.catalogChanged(),
      msgId: 'm9v2',
      payload: { kind: 'message', id: 9, version: 2 },
    });
    await waitFor(async () => {
      const after = request(9, 'c9');
      await send(after);
      return (await outcomeOf(after.sendId)).reason === 'unpublished';
    });
  });

  it('routes a batch message item by item: a poison item, a missing contact, a channel down and a broken decision stay alone', async () => {
    catalog.messages.set(60, routableMessage(60, [{ channel: 'email', channelId: 61 }]));
    catalog.messages.set(62, routableMessage(62, [{ channel: 'tweet', channelId: 63 }])); // no live tweet sender
    prefs.addresses.set('b1', { email: 'b1@example.com' });
    prefs.addresses.set('b2', { email: 'b2@example.com' });
    const ok = request(60, 'b1', { campaignId: '8' });
    const noContact = request(60, 'b-nobody');
    const channelDown = request(62, 'b1');
    const broken = request(60, 'b2');
    prefs.garbled.add(broken.sendId);
    const dlq = new SubjectRecorder<{ payload: string; error: string }>(nc, [env.names.subjects.dlq('router')]);
    await publisher.publish({
      subject: env.names.subjects.sendRequested(),
      msgId: 'batch-isolation',
      payload: { sends: [ok, { sendId: 'b-poison', messageId: 'sixty' }, noContact, channelDown, broken] },
    });

    expect(await outcomeOf(ok.sendId)).toMatchObject({ outcome: 'routed', channel: 'email', campaignId: '8' });
    expect(await outcomeOf(noContact.sendId)).toMatchObject({
      outcome: 'failed',
      reason: 'no_channel',
      skipped: [{ channel: 'email', reason: 'no_address' }],
    });
    expect(await outcomeOf(channelDown.sendId)).toMatchObject({
      outcome: 'failed',
      reason: 'no_channel',
      skipped: [{ channel: 'tweet', reason: 'unavailable' }],
    });
    const [letter] = await dlq.waitForCount(1);
    expect(JSON.parse(letter.data.payload)).toEqual({ sendId: 'b-poison', messageId: 'sixty' });
    expect(letter.data.error).toMatch(/item 1 fails its schema: messageId/);
    // The broken decision is retried alone and routed then; its neighbours are not routed again.
    expect(await outcomeOf(broken.sendId)).toMatchObject({ outcome: 'routed', channel: 'email' });
    await waitUntilConsumersIdle(nc, env.names);
    for (const sendId of [ok.sendId, noContact.sendId, channelDown.sendId, broken.sendId]) {
      const seen = recorder.messages.filter((m) => m.subject.includes('.routing.') && m.data.sendId === sendId);
      expect(seen).toHaveLength(1);
    }
    expect(dispatchesOf(ok.sendId)).toHaveLength(1);
    expect(dispatchesOf(broken.sendId)).toHaveLength(1);
    expect(dlq.messages).toHaveLength(1);
    dlq.stop();
  });

  it('fails the sends of a canceled shipment that were not routed yet, reason canceled, and routes the others', async () => {
    catalog.messages.set(31, routableMessage(31, [{ channel: 'email', channelId: 311 }]));
    prefs.addresses.set('k31', { email: 'k31@example.com' });
    const before = request(31, 'k31', { campaignId: '5', shipmentId: '5-1000' });
    await send(before);
    expect((await outcomeOf(before.sendId)).outcome).toBe('routed');
    await publisher.publish({
      subject: env.names.subjects.shipmentCanceled(),
      msgId: 'cancel-5-1000',
      payload: { shipmentIds: ['5-1000'], canceledAt: new Date().toISOString() },
    });
    await waitUntilConsumersIdle(nc, env.names);
    const late = request(31, 'k31', { campaignId: '5', shipmentId: '5-1000' });
    const other = request(31, 'k31', { campaignId: '5', shipmentId: '5-2000' });
    await send(late, other);
    expect(await outcomeOf(late.sendId)).toMatchObject({
      outcome: 'failed',
      reason: 'canceled',
      shipmentId: '5-1000',
      campaignId: '5',
    });
    expect(dispatchesOf(late.sendId)).toEqual([]);
    expect((await outcomeOf(other.sendId)).outcome).toBe('routed');
  });
});
