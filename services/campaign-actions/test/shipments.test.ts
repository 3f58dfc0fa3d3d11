import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  campaignsCreate,
  campaignsGet,
  campaignsShipments,
  campaignsTransition,
  type CampaignActor,
  type CampaignInput,
  type SendRequested,
  type ShipmentCanceled,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import type { RunningService } from '@switchboard/service-kit';
import {
  batchItemsOf,
  childEnv,
  createTestEnv,
  freePort,
  sampleSum,
  scrapeMetrics,
  spawnService,
  startTestService,
  SubjectRecorder,
  waitFor,
  type ChildService,
  type TestEnv,
} from '@switchboard/testing';
import { loadCampaignActionsConfig } from '../src/campaign-actions.config';
import { createCampaignActionsModule } from '../src/campaign-actions.module';
import { shipmentSendIdOf } from '../src/shipments/shipment-runner.service';
import { contactIdOf, startFakeAudience, type FakeAudience, type FakeTracker } from './support/fake-audience';

const mia: CampaignActor = { id: 'user:1', name: 'mia', role: 'marketer' };
const abe: CampaignActor = { id: 'user:2', name: 'abe', role: 'approver' };

const FAST = {
  SHIPMENT_POLL_MS: '100',
  CAMPAIGN_POLL_MS: '100',
  SHIPMENT_LEASE_MS: '1500',
  SHIPMENT_CHUNK: '500',
  AUDIENCE_PAGE_SIZE: '1000',
  LOG_LEVEL: 'silent',
};

async function approvedCampaign(rpc: RpcClient, input: Partial<CampaignInput>): Promise<number> {
  const c = await rpc.call(campaignsCreate, {
    campaign: { name: 'c', messageId: 9, audience: { include: [], exclude: [], all: true }, ...input },
    actor: mia,
  });
  await rpc.call(campaignsTransition, { id: c.id, action: 'submit', actor: mia });
  await rpc.call(campaignsTransition, { id: c.id, action: 'approve', actor: abe });
  return c.id;
}

const shipmentsOf = async (rpc: RpcClient, id: number) => (await rpc.call(campaignsShipments, { id })).shipments;

/** Shipments in campaign-actions (preferences' audience faked), on the real NATS and PostgreSQL. */
describe('shipments (campaign-actions, two instances)', () => {
  let env: TestEnv;
  let nc: NatsConnection;
  let rpc: RpcClient;
  let fakes: RunningService;
  let audience: FakeAudience;
  let tracker: FakeTracker;
  let instances: RunningService[] = [];
  let requests: SubjectRecorder<SendRequested>;
  let canceled: SubjectRecorder<ShipmentCanceled>;

  beforeAll(async () => {
    env = await createTestEnv();
    nc = await connect({ servers: env.natsUrl });
    rpc = new RpcClient(nc, env.names, 15_000);
    ({ service: fakes, audience, tracker } = await startFakeAudience(env));
    const config = () => loadCampaignActionsConfig(childEnv(env, FAST));
    instances = [
      await startTestService({ service: 'campaign-actions', module: createCampaignActionsModule(config()) }),
      await startTestService({ service: 'campaign-actions', module: createCampaignActionsModule(config()) }),
    ];
    requests = new SubjectRecorder(nc, [env.names.subjects.sendRequested()]);
    canceled = new SubjectRecorder(nc, [env.names.subjects.shipmentCanceled()]);
  });

  afterAll(async () => {
    requests?.stop();
    canceled?.stop();
    await Promise.all(instances.map((i) => i.close()));
    await fakes?.close();
    await nc?.close();
    await env?.cleanup();
  });

  beforeEach(() => {
    audience.pageDelayMs = 0;
  });

  const sendsOf = (shipmentId: string) => requests.messages.filter((m) => m.data.shipmentId === shipmentId);

  it('resolves the audience once and requests one send per target with a deterministic id, then completes', async () => {
    audience.size = 5_000;
    const pagesBefore = audience.pages.length;
    const id = await approvedCampaign(rpc, { messageId: 9 });
    const [shipment] = await waitFor(
      async () => {
        const s = await shipmentsOf(rpc, id);
        return s[0]?.status === 'Completed' ? s : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(shipment).toMatchObject({ targets: 5_000, requested: 5_000, canceled: 0, error: null, campaignId: id });
    expect(shipment.finishedAt).not.toBeNull();
    expect(audience.pages.length - pagesBefore).toBe(5);
    const sends = await waitFor(() => (sendsOf(shipment.id).length >= 5_000 ? sendsOf(shipment.id) : undefined));
    expect(new Set(sends.map((s) => s.data.contactId)).size).toBe(5_000);
    for (const s of [sends[0], sends[4_999]]) {
      // In batch messages (DESIGN §5), each message's id derived from its items' send ids.
      expect(s.headers['Nats-Msg-Id']).toMatch(/^send-batch:/);
      expect(s.data).toMatchObject({
        sendId: shipmentSendIdOf(shipment.id, s.data.contactId),
        messageId: 9,
        campaignId: String(id),
        shipmentId: shipment.id,
        deferrals: 0,
        attempt: 0,
      });
    }
    expect(sends.map((s) => s.data.contactId).slice(0, 2)).toEqual([contactIdOf(0), contactIdOf(1)]);
    const campaign = await rpc.call(campaignsGet, { id });
    expect(campaign).toMatchObject({ status: 'completed', sent: 5_000, nextRunAt: null });
    expect(campaign.lastShipmentAt).not.toBeNull();
  });

  it('shows running shipments on /metrics: targets, queued, sent and failed per shipment, gone once finished', async () => {
    audience.size = 6_000;
    audience.pageDelayMs = 400;
    tracker.sent = 30;
    tracker.failed = 5;
    const id = await approvedCampaign(rpc, {});
    const running = await waitFor(
      async () => {
        const s = (await shipmentsOf(rpc, id))[0];
        return s && s.requested > 100 && s.status === 'Pending' ? s : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 20 },
    );
    const labels = { shipment: running.id, campaign: String(id) };
    const samples = await scrapeMetrics(instances[0].healthPort);
    expect(sampleSum(samples, 'switchboard_shipments_running')).toBeGreaterThanOrEqual(1);
    expect(sampleSum(samples, 'switchboard_shipment_contacts', { ...labels, state: 'targets' })).toBeGreaterThanOrEqual(
      running.targets,
    );
    expect(sampleSum(samples, 'switchboard_shipment_contacts', { ...labels, state: 'sent' })).toBe(30);
    expect(sampleSum(samples, 'switchboard_shipment_contacts', { ...labels, state: 'failed' })).toBe(5);
    // queued = requested - sent - failed, as the shipment stood at the scrape.
    const queued = sampleSum(samples, 'switchboard_shipment_contacts', { ...labels, state: 'queued' });
    expect(queued).toBeGreaterThanOrEqual(running.requested - 35);
    audience.pageDelayMs = 0;
    await waitFor(async () => (await shipmentsOf(rpc, id))[0].status === 'Completed', { timeoutMs: 20_000 });
    const after = await scrapeMetrics(instances[1].healthPort);
    expect(after.filter((s) => s.labels.shipment === running.id)).toEqual([]);
  });

  it('a scheduled campaign waits for its time', async () => {
    audience.size = 10;
    const at = new Date(Date.now() + 2_000);
    const id = await approvedCampaign(rpc, { schedule: { type: 'at', at: at.toISOString() } });
    expect((await rpc.call(campaignsGet, { id })).status).toBe('scheduled');
    expect(await shipmentsOf(rpc, id)).toEqual([]);
    const [shipment] = await waitFor(
      async () => {
        const s = await shipmentsOf(rpc, id);
        return s[0]?.status === 'Completed' ? s : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(Date.parse(shipment.startedAt)).toBeGreaterThanOrEqual(at.getTime());
    expect(shipment.slot).toBe(at.toISOString());
    expect((await rpc.call(campaignsGet, { id })).status).toBe('completed');
  });

  it('cancel stops a shipment mid-way: no send is requested after it, the rest are counted canceled', async () => {
    audience.size = 20_000;
    audience.pageDelayMs = 150;
    const id = await approvedCampaign(rpc, {});
    const running = await waitFor(
      async () => {
        const s = (await shipmentsOf(rpc, id))[0];
        return s && s.requested > 0 ? s : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 20 },
    );
    expect(running.status).toBe('Pending');
    const result = await rpc.call(campaignsTransition, { id, action: 'cancel', actor: mia });
    expect(result.status).toBe('canceled');
    const [after] = await shipmentsOf(rpc, id);
    expect(after.status).toBe('Canceled');
    expect(after.requested).toBeLessThan(20_000);
    expect(after.canceled).toBe(after.targets - after.requested);
    const [event] = await canceled.waitForCount(1, (m) => m.data.shipmentIds.includes(after.id));
    expect(event.data.shipmentIds).toEqual([after.id]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(new Set(sendsOf(after.id).map((s) => s.data.sendId)).size).toBe(after.requested);
    expect((await shipmentsOf(rpc, id))[0]).toEqual(after);
  });

  it('runs a recurring schedule once per slot with two instances, and stays scheduled between runs', async () => {
    audience.size = 300;
    const id = await approvedCampaign(rpc, {
      schedule: { type: 'recurring', cron: '*/2 * * * * *', timezone: 'Europe/Madrid' },
    });
    const shipments = await waitFor(
      async () => {
        const s = await shipmentsOf(rpc, id);
        return s.filter((x) => x.status === 'Completed').length >= 3 ? s : undefined;
      },
      { timeoutMs: 20_000 },
    );
    const slots = shipments.map((s) => Date.parse(s.slot));
    expect(new Set(slots).size).toBe(slots.length);
    for (const slot of slots) expect(slot % 2_000).toBe(0);
    for (const s of shipments.filter((x) => x.status === 'Completed')) {
      expect(s.targets).toBe(300);
      expect(new Set(sendsOf(s.id).map((m) => m.data.sendId)).size).toBe(300);
    }
    await waitFor(async () => (await rpc.call(campaignsGet, { id })).status === 'scheduled', { timeoutMs: 5_000 });
    expect(Date.parse((await rpc.call(campaignsGet, { id })).nextRunAt!)).toBeGreaterThan(Math.max(...slots));
    await rpc.call(campaignsTransition, { id, action: 'cancel', actor: mia });
  });
});

/** campaign-actions as its own process, killed with SIGKILL mid-shipment; another instance finishes it. */
describe('a shipment survives a SIGKILL of campaign-actions', () => {
  let env: TestEnv;
  let nc: NatsConnection;
  let rpc: RpcClient;
  let fakes: RunningService;
  let audience: FakeAudience;
  const children: ChildService[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    nc = await connect({ servers: env.natsUrl });
    rpc = new RpcClient(nc, env.names, 15_000);
    ({ service: fakes, audience } = await startFakeAudience(env));
  });

  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill('SIGKILL')));
    await fakes?.close();
    await nc?.close();
    await env?.cleanup();
  });

  it('every target is requested exactly once', async () => {
    const N = 30_000;
    audience.size = N;
    audience.pageDelayMs = 60;
    children.push(await spawnService(env, 'campaign-actions', { ...FAST, LOG_LEVEL: 'warn' }, await freePort()));
    const id = await approvedCampaign(rpc, {});
    const before = await waitFor(
      async () => {
        const s = (await shipmentsOf(rpc, id))[0];
        return s && s.requested >= 2_000 ? s : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    await children[0].kill('SIGKILL');
    expect(before.status).toBe('Pending');
    children.push(await spawnService(env, 'campaign-actions', { ...FAST, LOG_LEVEL: 'warn' }, await freePort()));
    const [done] = await waitFor(
      async () => {
        const s = await shipmentsOf(rpc, id);
        return s[0]?.status === 'Completed' ? s : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(done).toMatchObject({ targets: N, requested: N });
    expect(before.requested).toBeLessThan(N);
    // Resumed from the persisted cursors: the audience was resolved from its start once.
    expect(audience.pages.filter((p) => p.after === null)).toHaveLength(1);
    // Every target's send is in the stream; the chunk in flight at the kill was published again
    // with the same items (JetStream drops it as a duplicate unless its batch was cut differently;
    // then the router's decisions keyed by send id make the second copy harmless).
    const jsm = await jetstreamManager(nc);
    const stream = env.names.streamOf(env.names.subjects.sendRequested());
    const js = jetstream(nc);
    const consumer = await jsm.consumers.add(stream, { ack_policy: AckPolicy.None, name: 'check' });
    const total = (await jsm.streams.info(stream)).state.messages;
    const messages = await (
      await js.consumers.get(stream, consumer.name)
    ).fetch({ max_messages: total, expires: 10_000 });
    const seen = new Set<string>();
    let items = 0;
    let read = 0;
    for await (const m of messages) {
      for (const item of (batchItemsOf(m.json()) ?? [m.json()]) as SendRequested[]) {
        expect(item.sendId).toBe(shipmentSendIdOf(done.id, item.contactId));
        seen.add(item.contactId);
        items++;
      }
      if (++read === total) break;
    }
    expect(items - N).toBeLessThanOrEqual(Number(FAST.SHIPMENT_CHUNK));
    expect(seen.size).toBe(N);
  }, 180_000);
});
