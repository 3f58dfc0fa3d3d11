import { Client as PgClient } from 'pg';
import {
  catalogItemSave,
  preferencesContactsBatchUpsert,
  type Dispatch,
  type RoutingOutcome,
} from '@switchboard/contracts';
import type { RunningService } from '@switchboard/service-kit';
import {
  createTestEnv,
  spawnService,
  SubjectRecorder,
  waitFor,
  waitUntilConsumersIdle,
  type ChildService,
  type TestEnv,
} from '@switchboard/testing';
import { announceChannels, connectClient, freePort, startNamedService, type Client } from './support/pipeline';
import { readStream } from './support/streams';

const ACTIONS = 4;
const PER_ACTION = 1_000;
/** Send requests published one per message beside the batches campaign-actions publishes (mixed producers). */
const SINGLES = 200;
const TOTAL = ACTIONS * PER_ACTION + SINGLES;

/**
 * The router as its own process, SIGKILLed while it routes a burst and started again: every send
 * is routed exactly once, none is lost, and no dispatch is duplicated in the stream. The burst
 * comes as batch messages of 1,000 send requests (campaign-actions) mixed with single ones, so the
 * kill lands with batches half done: decided, stored or published but not acked. Each contact
 * may receive one email a day, so a second reservation for a replayed send would show up as a
 * deferral instead of a routing.
 */
describe('router killed mid-batch', () => {
  let env: TestEnv;
  let client: Client;
  let services: RunningService[] = [];
  let router: ChildService | undefined;
  let beats: { stop(): void };

  beforeAll(async () => {
    env = await createTestEnv();
    client = await connectClient(env);
    beats = announceChannels(client, env, ['email'], 300);
    services = await Promise.all(
      ['catalog', 'preferences', 'campaign-actions'].map((name) => startNamedService(name, env)),
    );
  }, 60_000);

  afterAll(async () => {
    beats?.stop();
    await router?.kill('SIGTERM');
    for (const s of services.reverse()) await s.close();
    await client?.nc.close();
    await env?.cleanup();
  });

  const spawnRouter = async () =>
    spawnService(
      env,
      'router',
      { ROUTER_CHANNEL_WARMUP_MS: '1000', ROUTER_ACK_WAIT_MS: '5000', LOG_LEVEL: 'error' },
      await freePort(),
    );

  it('loses nothing and duplicates no dispatch', async () => {
    const save = async (kind: 'message' | 'email', input: Record<string, unknown>) =>
      (await client.rpc.call(catalogItemSave, { kind, mode: 'create', input, actor: { id: null, name: 'test' } })).item
        .id as number;
    const email = await save('email', { name: 'E', subject: 'Hi', customHtml: '<p>Hi</p>' });
    const messageId = await save('message', {
      name: 'burst',
      channels: { email: { channelId: email, isEnabled: true } },
    });
    const recorder = new SubjectRecorder<any>(client.nc, [
      env.names.subjects.dispatch('*'),
      env.names.subjects.routing('*'),
    ]);

    const singles = Array.from({ length: SINGLES }, (_, i) => `single-${i}`);
    await client.rpc.call(preferencesContactsBatchUpsert, {
      contacts: singles.map((id) => ({ id, email: `${id}@example.com` })),
    });
    router = await spawnRouter();
    const oncePerDay = { email: { frequencyNumber: 1, frequencyTime: 'DAY' } };
    await client.publisher.publishAll(
      Array.from({ length: ACTIONS }, (_, a) => ({
        subject: env.names.subjects.campaignAction(),
        msgId: `burst-${a}`,
        payload: {
          actionId: `burst-${a}`,
          type: 'send_marketing_message',
          messageId,
          contacts: Array.from({ length: PER_ACTION }, (_, i) => ({
            id: `k${a}-${i}`,
            email: `k${a}-${i}@example.com`,
            frequencyRules: oncePerDay,
          })),
        },
      })),
    );

    const now = Date.now();
    await client.publisher.publishAll(
      singles.map((contactId) => ({
        subject: env.names.subjects.sendRequested(),
        msgId: `s-${contactId}`,
        payload: {
          sendId: `s-${contactId}`,
          messageId,
          contactId,
          requestedAt: new Date(now).toISOString(),
          expiresAt: new Date(now + 86_400_000).toISOString(),
        },
      })),
    );

    const routedSoFar = () => recorder.messages.filter((m) => m.subject.endsWith('.routing.routed.v1')).length;
    await waitFor(() => routedSoFar() >= 300, {
      timeoutMs: 30_000,
      intervalMs: 5,
      message: 'router did not start routing',
    });
    await router.kill('SIGKILL');
    const atKill = routedSoFar();
    expect(atKill).toBeLessThan(TOTAL);

    router = await spawnRouter();
    await waitFor(
      async () => (await readStream(client.nc, env.names, env.names.subjects.routing('*'))).length >= TOTAL,
      {
        timeoutMs: 60_000,
        intervalMs: 500,
        message: 'not every send was routed after the restart',
      },
    );
    await waitUntilConsumersIdle(client.nc, env.names, 30_000);

    const outcomes = await readStream<RoutingOutcome>(client.nc, env.names, env.names.subjects.routing('*'));
    const dispatches = await readStream<Dispatch>(client.nc, env.names, env.names.subjects.dispatch('*'));
    expect(outcomes).toHaveLength(TOTAL);
    expect(outcomes.every((o) => o.data.outcome === 'routed' && o.data.channel === 'email')).toBe(true);
    expect(new Set(outcomes.map((o) => o.data.sendId)).size).toBe(TOTAL);
    expect(dispatches).toHaveLength(TOTAL);
    expect(new Set(dispatches.map((d) => d.data.sendId)).size).toBe(TOTAL);
    expect(new Set(dispatches.map((d) => d.data.dispatchId))).toEqual(new Set(outcomes.map((o) => o.data.dispatchId)));

    const pg = new PgClient({ connectionString: env.databaseUrl });
    await pg.connect();
    const [{ decisions, sends }] = (
      await pg.query('SELECT count(*)::int AS decisions, count(DISTINCT send_id)::int AS sends FROM router.decisions')
    ).rows;
    await pg.end();
    expect({ decisions, sends }).toEqual({ decisions: TOTAL, sends: TOTAL });
    // What core NATS saw beyond the stream: publishes the restarted router repeated and JetStream dropped.
    const replayed = recorder.messages.filter((m) => m.subject.includes('.dispatch.')).length - TOTAL;
    process.stdout.write(
      `routed before the kill: ${atKill}; dispatches republished after the restart and dropped as duplicates: ${replayed}\n`,
    );
    recorder.stop();
  }, 120_000);
});
