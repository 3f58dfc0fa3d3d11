import {
  catalogItemSave,
  DispatchSchema,
  RoutingOutcomeSchema,
  preferencesContactsBatchUpsert,
  preferencesDncAdd,
  routerSendsGet,
  type ContactUpserted,
  type Dispatch,
  type RoutingOutcome,
  type SendRequested,
} from '@switchboard/contracts';
import type { RunningService } from '@switchboard/service-kit';
import {
  createTestEnv,
  SubjectRecorder,
  waitUntilConsumersIdle,
  type Recorded,
  type TestEnv,
} from '@switchboard/testing';
import { announceChannels, connectClient, startNamedService, type Client } from './support/pipeline';
import { readStream } from './support/streams';

const HOUR = 3_600_000;
const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);
const PUSH = {
  endpoint: 'https://push.example.com/sub/1',
  keys: {
    p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
    auth: 'tBHItJI5svbpez7KI4CCXg',
  },
};

/**
 * The routing pipeline end to end on the real NATS and PostgreSQL, with the real catalog,
 * preferences, campaign-actions and router, driven by campaign actions; every rule of DESIGN §4
 * is read off the outcome and dispatch subjects.
 */
describe('routing pipeline (catalog + preferences + campaign-actions + router)', () => {
  let env: TestEnv;
  let client: Client;
  let services: RunningService[] = [];
  let beats: { stop(): void };
  let recorder: SubjectRecorder<any>;
  const started = Date.now();
  // SMS quiet hours are not used; notification quiet hours cover now in UTC (and not in Auckland).
  const quiet = { from: hhmm(started - 2 * HOUR), to: hhmm(started + 2 * HOUR) };
  const msg: Record<string, number> = {};

  beforeAll(async () => {
    env = await createTestEnv();
    client = await connectClient(env);
    beats = announceChannels(client, env, ['email', 'sms', 'notification']);
    const serviceEnv = {
      ROUTER_CHANNEL_WARMUP_MS: '1500',
      SCHEDULER_POLL_MS: '100',
      QUIET_HOURS_NOTIFICATION: `${quiet.from}-${quiet.to}`,
      FREQUENCY_DEFAULT_SMS: '1/DAY',
    };
    services = await Promise.all(
      ['catalog', 'preferences', 'router', 'campaign-actions'].map((name) => startNamedService(name, env, serviceEnv)),
    );
    recorder = new SubjectRecorder(client.nc, [env.names.subjects.dispatch('*'), env.names.subjects.routing('*')]);

    const save = async (kind: 'message' | 'email' | 'sms' | 'notification' | 'tweet', input: Record<string, unknown>) =>
      (await client.rpc.call(catalogItemSave, { kind, mode: 'create', input, actor: { id: null, name: 'test' } })).item
        .id as number;
    const email = await save('email', { name: 'E', subject: 'Hi {{ contact.firstname }}', customHtml: '<p>Hi</p>' });
    const sms = await save('sms', { name: 'S', message: 'Hi' });
    const smsDraft = await save('sms', { name: 'S draft', message: 'Hi', isPublished: false });
    const push = await save('notification', { name: 'N', heading: 'Hi', message: 'Hi', mobile: false });
    const tweet = await save('tweet', { name: 'T', text: 'Hi' });
    const on = (channelId: number) => ({ channelId, isEnabled: true });
    msg.emailSms = await save('message', {
      name: 'email then sms',
      channels: [
        { channel: 'email', ...on(email) },
        { channel: 'sms', ...on(sms) },
      ],
    });
    msg.email = await save('message', { name: 'email only', channels: { email: on(email) } });
    msg.unpublished = await save('message', { name: 'draft', isPublished: false, channels: { email: on(email) } });
    msg.ended = await save('message', {
      name: 'ended',
      publishDown: new Date(started - HOUR).toISOString(),
      channels: { email: on(email) },
    });
    msg.notYet = await save('message', {
      name: 'not yet',
      publishUp: new Date(started + HOUR).toISOString(),
      channels: { email: on(email) },
    });
    msg.smsDraft = await save('message', {
      name: 'sms draft',
      channels: [
        { channel: 'email', ...on(email) },
        { channel: 'sms', ...on(smsDraft) },
      ],
    });
    msg.push = await save('message', {
      name: 'push',
      channels: [
        { channel: 'notification', ...on(push) },
        { channel: 'email', ...on(email) },
      ],
    });
    msg.tweet = await save('message', {
      name: 'tweet',
      channels: [
        { channel: 'tweet', ...on(tweet) },
        { channel: 'email', ...on(email) },
      ],
    });
  }, 60_000);

  afterAll(async () => {
    beats?.stop();
    recorder?.stop();
    for (const s of services.reverse()) await s.close();
    await client?.nc.close();
    await env?.cleanup();
  });

  let actions = 0;
  async function act(
    messageId: number,
    contacts: Partial<ContactUpserted>[],
    extra: Record<string, unknown> = {},
    msgId?: string,
  ): Promise<string> {
    const actionId = (extra.actionId as string) ?? `act-${++actions}`;
    const payload = { actionId, type: 'send_marketing_message', messageId, contacts, ...extra };
    await client.publisher.publish({ subject: env.names.subjects.campaignAction(), msgId: msgId ?? actionId, payload });
    return actionId;
  }

  /** Outcomes for a contact, one per Nats-Msg-Id and place in it (core NATS also shows the duplicates JetStream dropped). */
  async function outcomes(contactId: string, count = 1, timeoutMs = 15_000): Promise<RoutingOutcome[]> {
    const found = await recorder.waitForCount(
      count,
      (m) => m.subject.includes('.routing.') && m.data.contactId === contactId && firstOf(m),
      timeoutMs,
    );
    return found.map((m) => m.data as RoutingOutcome);
  }
  const firstOf = (m: Recorded<any>) =>
    recorder.messages.find(
      (o) => o.headers['Nats-Msg-Id'] === m.headers['Nats-Msg-Id'] && o.batchIndex === m.batchIndex,
    ) === m;
  const dispatches = (contactId: string) =>
    recorder.messages
      .filter((m) => m.subject.includes('.dispatch.') && m.data.contact.id === contactId && firstOf(m))
      .map((m) => m.data as Dispatch);

  it('orders candidates by the message when nothing else says otherwise, and dispatches the first', async () => {
    await act(msg.emailSms, [{ id: 'order-1', email: 'o1@example.com', mobile: '+14155550101', firstname: 'Ada' }]);
    const [o] = await outcomes('order-1');
    expect(o).toMatchObject({ outcome: 'routed', channel: 'email', candidates: ['email', 'sms'], skipped: [] });
    const [d] = dispatches('order-1');
    expect(d).toMatchObject({
      dispatchId: o.dispatchId,
      channel: 'email',
      messageId: msg.emailSms,
      contact: { address: 'o1@example.com', fields: expect.objectContaining({ firstname: 'Ada' }) },
    });
    expect(
      recorder.messages.find((m) => m.data.dispatchId === d.dispatchId && m.subject.includes('.dispatch.'))!.subject,
    ).toBe(env.names.subjects.dispatch('email'));
  });

  it('puts the preferred channel first, ignores one the message does not offer, and honours the override', async () => {
    await act(msg.emailSms, [
      { id: 'pref-1', email: 'p1@example.com', mobile: '+14155550102', preferredChannel: 'sms' },
    ]);
    await act(msg.email, [{ id: 'pref-2', email: 'p2@example.com', preferredChannel: 'tweet' }]);
    await act(msg.emailSms, [{ id: 'over-1', email: 'v1@example.com', mobile: '+14155550103' }], { channels: ['sms'] });
    expect((await outcomes('pref-1'))[0]).toMatchObject({
      outcome: 'routed',
      channel: 'sms',
      candidates: ['sms', 'email'],
    });
    expect((await outcomes('pref-2'))[0]).toMatchObject({ outcome: 'routed', channel: 'email', candidates: ['email'] });
    expect((await outcomes('over-1'))[0]).toMatchObject({
      outcome: 'routed',
      channel: 'sms',
      candidates: ['sms', 'email'],
    });
  });

  it('never offers a channel without a live sender', async () => {
    await act(msg.tweet, [
      { id: 'live-1', email: 'l1@example.com', twitterHandle: 'live1', preferredChannel: 'tweet' },
    ]);
    expect((await outcomes('live-1'))[0]).toMatchObject({
      outcome: 'routed',
      channel: 'email',
      candidates: ['email'],
      skipped: [],
    });
  });

  it('skips do-not-contact, missing addresses and unavailable content, and fails with every reason when nothing is left', async () => {
    await client.rpc.call(preferencesContactsBatchUpsert, {
      contacts: [
        { id: 'dnc-1', email: 'd1@example.com', mobile: '+14155550104' },
        { id: 'dnc-2', email: 'd2@example.com' },
      ],
    });
    await client.rpc.call(preferencesDncAdd, { contactId: 'dnc-1', channel: 'email', reason: 1 });
    await client.rpc.call(preferencesDncAdd, { contactId: 'dnc-2', channel: 'email', reason: 3 });
    await act(msg.emailSms, [{ id: 'dnc-1' }, { id: 'dnc-2' }]);
    await act(msg.smsDraft, [
      { id: 'content-1', email: 'c1@example.com', mobile: '+14155550105', preferredChannel: 'sms' },
    ]);
    await act(msg.email, [{ id: 'nobody-1' }]);
    expect((await outcomes('dnc-1'))[0]).toMatchObject({
      outcome: 'routed',
      channel: 'sms',
      skipped: [{ channel: 'email', reason: 'dnc', detail: 'unsubscribed' }],
    });
    expect((await outcomes('dnc-2'))[0]).toMatchObject({
      outcome: 'failed',
      reason: 'no_channel',
      candidates: ['email', 'sms'],
      skipped: [
        { channel: 'email', reason: 'dnc' },
        { channel: 'sms', reason: 'no_address' },
      ],
    });
    expect((await outcomes('content-1'))[0]).toMatchObject({
      outcome: 'routed',
      channel: 'email',
      skipped: [{ channel: 'sms', reason: 'content_unavailable' }],
    });
    expect((await outcomes('nobody-1'))[0]).toMatchObject({
      outcome: 'failed',
      reason: 'no_channel',
      skipped: [{ channel: 'email', reason: 'no_address' }],
    });
    expect(dispatches('dnc-2')).toEqual([]);
  });

  it('fails sends of a missing, unpublished or out-of-window message', async () => {
    await act(msg.unpublished, [{ id: 'pub-1' }]);
    await act(msg.ended, [{ id: 'pub-2' }]);
    await act(msg.notYet, [{ id: 'pub-3' }]);
    await act(987_654, [{ id: 'pub-4' }]);
    expect((await outcomes('pub-1'))[0]).toMatchObject({ outcome: 'failed', reason: 'unpublished' });
    expect((await outcomes('pub-2'))[0]).toMatchObject({ outcome: 'failed', reason: 'unpublished' });
    expect((await outcomes('pub-3'))[0]).toMatchObject({ outcome: 'failed', reason: 'unpublished' });
    expect((await outcomes('pub-4'))[0]).toMatchObject({ outcome: 'failed', reason: 'not_found', messageId: 987_654 });
  });

  it('holds quiet hours in the contact’s time zone and defers to their end', async () => {
    await act(msg.push, [
      { id: 'quiet-utc', timezone: 'UTC', webPushSubscriptions: [PUSH] },
      { id: 'quiet-akl', timezone: 'Pacific/Auckland', webPushSubscriptions: [PUSH] },
    ]);
    const [utc] = await outcomes('quiet-utc');
    expect(utc).toMatchObject({
      outcome: 'deferred',
      skipped: [
        { channel: 'notification', reason: 'quiet_hours' },
        { channel: 'email', reason: 'no_address' },
      ],
    });
    const end = Date.parse(`${new Date(started + 2 * HOUR).toISOString().slice(0, 16)}:00Z`);
    expect(Math.abs(Date.parse(utc.retryAt!) - end)).toBeLessThan(60_000);
    expect((await outcomes('quiet-akl'))[0]).toMatchObject({ outcome: 'routed', channel: 'notification' });
  });

  it('counts frequency per contact rule, else the default rule, and defers to the oldest send leaving the window', async () => {
    const own = { frequencyRules: { email: { frequencyNumber: 1, frequencyTime: 'DAY' as const } } };
    await act(msg.email, [{ id: 'freq-1', email: 'f1@example.com', ...own }]);
    const [first] = await outcomes('freq-1');
    await act(msg.email, [{ id: 'freq-1' }]);
    const [, second] = await outcomes('freq-1', 2);
    expect(first).toMatchObject({ outcome: 'routed', channel: 'email' });
    expect(second).toMatchObject({ outcome: 'deferred', skipped: [{ channel: 'email', reason: 'frequency' }] });
    expect(Math.abs(Date.parse(second.retryAt!) - (Date.parse(first.occurredAt) + 86_400_000))).toBeLessThan(5_000);

    // FREQUENCY_DEFAULT_SMS=1/DAY: a contact without an sms rule gets one; a contact rule of 5/DAY wins over it.
    await act(msg.emailSms, [
      { id: 'freq-2', mobile: '+14155550106', preferredChannel: 'sms' },
      {
        id: 'freq-3',
        mobile: '+14155550107',
        preferredChannel: 'sms',
        frequencyRules: { sms: { frequencyNumber: 5, frequencyTime: 'DAY' } },
      },
    ]);
    await outcomes('freq-2');
    await outcomes('freq-3');
    await act(msg.emailSms, [{ id: 'freq-2' }, { id: 'freq-3' }]);
    expect((await outcomes('freq-2', 2))[1]).toMatchObject({
      outcome: 'deferred',
      skipped: [
        { channel: 'sms', reason: 'frequency' },
        { channel: 'email', reason: 'no_address' },
      ],
    });
    expect((await outcomes('freq-3', 2))[1]).toMatchObject({ outcome: 'routed', channel: 'sms' });
  });

  it('brings a paused send back at its retryAt and routes it then', async () => {
    const pauseTo = new Date(Date.now() + 2_000).toISOString();
    await act(msg.email, [
      {
        id: 'pause-1',
        email: 'pa1@example.com',
        frequencyRules: { email: { pauseFrom: new Date(started - HOUR).toISOString(), pauseTo } },
      },
    ]);
    const [deferred] = await outcomes('pause-1');
    expect(deferred).toMatchObject({
      outcome: 'deferred',
      retryAt: pauseTo,
      deferrals: 0,
      skipped: [{ channel: 'email', reason: 'paused' }],
    });
    expect(dispatches('pause-1')).toEqual([]);
    const [, routed] = await outcomes('pause-1', 2);
    expect(routed).toMatchObject({ outcome: 'routed', channel: 'email', deferrals: 1, sendId: deferred.sendId });
    expect(Date.parse(routed.occurredAt)).toBeGreaterThanOrEqual(Date.parse(pauseTo));
    expect(dispatches('pause-1')).toHaveLength(1);
    const record = await client.rpc.call(routerSendsGet, { sendId: deferred.sendId });
    expect(record).toMatchObject({
      status: 'routed',
      deferrals: 1,
      decisions: [
        { outcome: 'deferred', retryAt: pauseTo },
        { outcome: 'routed', deferrals: 1 },
      ],
    });
  });

  it('fails a send that would be deferred past its expiry or beyond MAX_DEFERRALS', async () => {
    // A send expires 7 days after it was requested; this pause lasts 8.
    const pause = {
      email: {
        pauseFrom: new Date(started - HOUR).toISOString(),
        pauseTo: new Date(started + 8 * 86_400_000).toISOString(),
      },
    };
    await act(msg.email, [{ id: 'exp-1', email: 'e1@example.com', frequencyRules: pause }]);
    expect((await outcomes('exp-1'))[0]).toMatchObject({
      outcome: 'failed',
      reason: 'expired',
      skipped: [{ channel: 'email', reason: 'paused' }],
    });

    const shortPause = {
      email: { pauseFrom: new Date(started - HOUR).toISOString(), pauseTo: new Date(started + HOUR / 2).toISOString() },
    };
    await client.rpc.call(preferencesContactsBatchUpsert, {
      contacts: [{ id: 'max-1', email: 'm1@example.com', frequencyRules: shortPause }],
    });
    const now = new Date();
    // The scheduler's third re-emission of a send, as it would arrive.
    const thirdDeferral: SendRequested = {
      sendId: 'max-deferrals-1',
      messageId: msg.email,
      contactId: 'max-1',
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 7 * 86_400_000).toISOString(),
      deferrals: 3,
      attempt: 0,
    };
    await client.publisher.publish({
      subject: env.names.subjects.sendRequested(),
      msgId: 'max-deferrals-1:0:d3',
      payload: thirdDeferral,
    });
    expect((await outcomes('max-1'))[0]).toMatchObject({ outcome: 'failed', reason: 'max_deferrals', deferrals: 3 });
  });

  it('turns a duplicate action into one dispatch per contact', async () => {
    const contacts = [
      { id: 'dup-1', email: 'dup1@example.com' },
      { id: 'dup-2', email: 'dup2@example.com' },
    ];
    await act(msg.email, contacts, { actionId: 'dup-action' });
    await act(msg.email, contacts, { actionId: 'dup-action' }); // the same message id: dropped by JetStream
    await act(msg.email, contacts, { actionId: 'dup-action' }, 'dup-action-republished'); // republished: same send ids
    await outcomes('dup-1');
    await outcomes('dup-2');
    await waitUntilConsumersIdle(client.nc, env.names);
    const stored = await readStream<Dispatch>(client.nc, env.names, env.names.subjects.dispatch('*'));
    expect(stored.filter((d) => d.data.contact.id === 'dup-1')).toHaveLength(1);
    expect(stored.filter((d) => d.data.contact.id === 'dup-2')).toHaveLength(1);
  });

  it('re-routes a permanent failure to the next channel with a new dispatch id and the same send id', async () => {
    await act(msg.emailSms, [{ id: 'perm-1', email: 'bounce@example.com', mobile: '+14155550108' }]);
    const [first] = await outcomes('perm-1');
    expect(first).toMatchObject({ outcome: 'routed', channel: 'email' });
    const failure = {
      dispatchId: first.dispatchId,
      sendId: first.sendId,
      messageId: msg.emailSms,
      contactId: 'perm-1',
      channel: 'email',
      event: 'failed',
      occurredAt: new Date().toISOString(),
      error: { code: '550', message: '5.1.1 no such user', permanent: true },
    };
    await client.publisher.publish({
      subject: env.names.subjects.delivery('email', 'failed'),
      msgId: `${first.dispatchId}:failed`,
      payload: failure,
    });
    const [, second] = await outcomes('perm-1', 2);
    expect(second).toMatchObject({
      outcome: 'routed',
      channel: 'sms',
      sendId: first.sendId,
      attempt: 1,
      skipped: [{ channel: 'email', reason: 'excluded' }],
    });
    expect(second.dispatchId).not.toBe(first.dispatchId);
    expect(dispatches('perm-1').map((d) => [d.channel, d.dispatchId])).toEqual([
      ['email', first.dispatchId],
      ['sms', second.dispatchId],
    ]);
    await waitUntilConsumersIdle(client.nc, env.names);
    const record = await client.rpc.call(routerSendsGet, { sendId: first.sendId });
    expect(record).toMatchObject({ status: 'routed', channel: 'sms', attempts: 2 });
    expect(record.dispatches.map((d) => [d.channel, d.events.map((e) => e.event)])).toEqual([
      ['email', ['failed']],
      ['sms', []],
    ]);
  });

  it('emits exactly one outcome per decision and at most one dispatch per (send, attempt)', async () => {
    await waitUntilConsumersIdle(client.nc, env.names);
    const stored = await readStream<RoutingOutcome>(client.nc, env.names, env.names.subjects.routing('*'));
    const keys = stored.map((o) => `${o.data.sendId}:${o.data.attempt}:${o.data.deferrals}`);
    expect(new Set(keys).size).toBe(keys.length);
    const sent = await readStream<Dispatch>(client.nc, env.names, env.names.subjects.dispatch('*'));
    const routed = stored.filter((o) => o.data.outcome === 'routed');
    expect(sent.map((d) => d.data.dispatchId).sort()).toEqual(routed.map((o) => o.data.dispatchId).sort());
    // Every event honours its contract (the router does not re-validate what it builds).
    for (const o of stored) expect(RoutingOutcomeSchema.safeParse(o.data).error).toBeUndefined();
    for (const d of sent) expect(DispatchSchema.safeParse(d.data).error).toBeUndefined();
  });
});
