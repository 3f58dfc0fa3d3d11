import { Injectable, Module } from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  batchItemId,
  batchMsgId,
  preferencesContactsBatchUpsert,
  type DeadLetter,
  type SendRequested,
} from '@switchboard/contracts';
import { EventPublisher, RpcHandler } from '@switchboard/messaging';
import { ServiceKitModule, type RunningService } from '@switchboard/service-kit';
import { createLogger } from '@switchboard/telemetry';
import {
  childEnv,
  createTestEnv,
  startTestService,
  SubjectRecorder,
  waitFor,
  waitUntilConsumersIdle,
  type TestEnv,
} from '@switchboard/testing';
import { sendIdOf } from '../src/actions/send-id';
import { loadCampaignActionsConfig } from '../src/campaign-actions.config';
import { createCampaignActionsModule } from '../src/campaign-actions.module';
import { ScheduledSendsRepository } from '../src/scheduler/scheduled-sends.repository';

@Injectable()
class FakeContacts {
  readonly upserts: { id: string }[][] = [];

  @RpcHandler(preferencesContactsBatchUpsert)
  async upsert({ contacts }: { contacts: { id: string }[] }) {
    this.upserts.push(contacts);
    return { results: contacts.map((c) => ({ id: c.id, created: true })) };
  }
}

/** campaign-actions alone (preferences' upsert faked) on the real NATS and PostgreSQL. */
describe('campaign-actions (fake preferences)', () => {
  let env: TestEnv;
  let nc: NatsConnection;
  let fakes: RunningService;
  let instances: RunningService[] = [];
  let contacts: FakeContacts;
  let publisher: EventPublisher;
  let requests: SubjectRecorder<SendRequested>;

  beforeAll(async () => {
    env = await createTestEnv();
    nc = await connect({ servers: env.natsUrl });
    publisher = new EventPublisher(nc);
    @Module({
      imports: [
        ServiceKitModule.forRoot({ service: 'fakes', config: env.config, logger: createLogger('fakes', 'silent') }),
      ],
      providers: [FakeContacts],
    })
    class FakesModule {}
    fakes = await startTestService({ service: 'fakes', module: FakesModule });
    contacts = fakes.app.get(FakeContacts);
    const config = () => loadCampaignActionsConfig(childEnv(env, { SCHEDULER_POLL_MS: '100', LOG_LEVEL: 'silent' }));
    // Two instances: the scheduler must hand each due send to one of them.
    instances = [
      await startTestService({ service: 'campaign-actions', module: createCampaignActionsModule(config()) }),
      await startTestService({ service: 'campaign-actions', module: createCampaignActionsModule(config()) }),
    ];
    requests = new SubjectRecorder(nc, [env.names.subjects.sendRequested()]);
  });

  afterAll(async () => {
    requests?.stop();
    await Promise.all(instances.map((i) => i.close()));
    await fakes?.close();
    await nc?.close();
    await env?.cleanup();
  });

  const publishAction = (action: Record<string, unknown>, msgId = String(action.actionId)) =>
    publisher.publish({ subject: env.names.subjects.campaignAction(), msgId, payload: action });
  const requestsOf = (actionId: string, contactId: string) =>
    requests.messages.filter((m) => m.data.sendId === sendIdOf(actionId, contactId));

  it('emits one send request per distinct contact with a deterministic id, after one upsert of the inline fields', async () => {
    const action = {
      actionId: 'a1',
      type: 'send_marketing_message',
      messageId: '42',
      campaignId: 7,
      campaignEventId: 'e1',
      channels: ['sms'],
      contacts: [
        { id: 'k1', email: 'k1@example.com' },
        { id: 'k2' },
        { id: 'k1' },
        { id: 'k3', fields: { plan: 'gold' } },
      ],
    };
    await publishAction(action);
    const got = await requests.waitForCount(
      3,
      (m) => m.data.sendId.length > 0 && ['k1', 'k2', 'k3'].some((k) => m.data.sendId === sendIdOf('a1', k)),
    );
    expect(got.map((m) => m.data.contactId).sort()).toEqual(['k1', 'k2', 'k3']);
    // One batch message (DESIGN §5 "Batching"), its id derived from its items.
    const itemIds = got.map((m) => batchItemId('send', m.data));
    expect(itemIds.sort()).toEqual(['k1', 'k2', 'k3'].map((k) => `${sendIdOf('a1', k)}:0:0`).sort());
    for (const m of got) {
      expect(m.batchIndex).toBeDefined();
      expect(m.headers['Nats-Msg-Id']).toBe(batchMsgId('send', itemIds));
      expect(m.data).toMatchObject({
        messageId: 42,
        campaignId: '7',
        campaignEventId: 'e1',
        channels: ['sms'],
        deferrals: 0,
        attempt: 0,
      });
      expect(Date.parse(m.data.expiresAt) - Date.parse(m.data.requestedAt)).toBe(7 * 86_400_000);
    }
    expect(contacts.upserts).toEqual([
      [
        { id: 'k1', email: 'k1@example.com' },
        { id: 'k3', fields: { plan: 'gold' } },
      ],
    ]);

    // Republished under another message id: the same send ids, so JetStream keeps the batch once.
    await publishAction(action, 'a1-again');
    await waitUntilConsumersIdle(nc, env.names);
    const info = await (
      await jetstreamManager(nc)
    ).streams.info(env.names.streamOf(env.names.subjects.sendRequested()));
    expect(info.state.messages).toBe(1);
  });

  it('holds an action with a future sendAt until then', async () => {
    const sendAt = new Date(Date.now() + 1_500).toISOString();
    await publishAction({
      actionId: 'later',
      type: 'send_marketing_message',
      messageId: 5,
      sendAt,
      contacts: [{ id: 'k9' }],
    });
    await waitUntilConsumersIdle(nc, env.names);
    expect(requestsOf('later', 'k9')).toHaveLength(0);
    const [m] = await requests.waitForCount(1, (r) => r.data.sendId === sendIdOf('later', 'k9'), 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(sendAt));
    expect(m.data.requestedAt).toBe(sendAt);
  });

  it('re-emits a deferred send at its retryAt with one more deferral, once, whichever instance claims it', async () => {
    const retryAt = new Date(Date.now() + 1_000).toISOString();
    const request: SendRequested = {
      sendId: 'deferred-1',
      messageId: 5,
      contactId: 'k5',
      requestedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      channels: ['email'],
      deferrals: 1,
      attempt: 0,
    };
    const outcome = {
      sendId: 'deferred-1',
      messageId: 5,
      contactId: 'k5',
      outcome: 'deferred',
      candidates: ['email'],
      skipped: [{ channel: 'email', reason: 'paused' }],
      retryAt,
      deferrals: 1,
      attempt: 0,
      occurredAt: new Date().toISOString(),
      request,
    };
    await publisher.publish({
      subject: env.names.subjects.routing('deferred'),
      msgId: 'deferred-1:0:1:deferred',
      payload: outcome,
    });
    await publisher.publish({
      subject: env.names.subjects.routing('deferred'),
      msgId: 'deferred-1:redelivered',
      payload: outcome,
    });
    const [m] = await requests.waitForCount(1, (r) => r.data.sendId === 'deferred-1', 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(retryAt));
    expect(m.headers['Nats-Msg-Id']).toBe('deferred-1:0:d2');
    expect(m.data).toMatchObject({ ...request, deferrals: 2 });
    await waitUntilConsumersIdle(nc, env.names);
    expect(requests.messages.filter((r) => r.data.sendId === 'deferred-1')).toHaveLength(1);
  });

  it('shares a burst of due sends between instances without emitting any twice', async () => {
    const due = new Date(Date.now() - 1_000).toISOString();
    const sends = Array.from({ length: 1_200 }, (_, i) => {
      const payload: SendRequested = {
        sendId: `burst-${i}`,
        messageId: 5,
        contactId: `b${i}`,
        requestedAt: due,
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        deferrals: 0,
        attempt: 0,
      };
      return { sendId: payload.sendId, attempt: 0, deferrals: 0, msgId: payload.sendId, dueAt: due, payload };
    });
    await instances[0].app.get(ScheduledSendsRepository).schedule(sends);
    await waitFor(() => requests.messages.filter((r) => r.data.sendId.startsWith('burst-')).length >= 1_200, {
      timeoutMs: 15_000,
    });
    await waitUntilConsumersIdle(nc, env.names);
    const seen = requests.messages.filter((r) => r.data.sendId.startsWith('burst-')).map((r) => r.data.sendId);
    expect(seen).toHaveLength(1_200);
    expect(new Set(seen).size).toBe(1_200);
  });

  // Last: on nats-server 2.9 a dead-lettered message stays ack-pending until its ack wait (see the report).
  it('sends a malformed action to the DLQ with the reason', async () => {
    const dlq = new SubjectRecorder<DeadLetter>(nc, [env.names.subjects.dlq('campaign-actions')]);
    await publishAction({ actionId: 'bad', type: 'send_marketing_message', messageId: 1, contacts: [] });
    const [letter] = await dlq.waitForCount(1);
    expect(letter.data.error).toMatch(/contacts/);
    dlq.stop();
  });
});
