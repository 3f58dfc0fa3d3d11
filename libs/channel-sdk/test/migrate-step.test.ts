import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { loadConfig } from '@switchboard/config';
import { runMigrateStep } from '@switchboard/service-kit';
import { createLogger } from '@switchboard/telemetry';
import { createTestEnv, senderTestEnv, startTestService, type TestEnv } from '@switchboard/testing';
import { buildSenderConfig, ChannelSenderModule, defineSender, senderEnv } from '../src';

const sender = defineSender<{ to: string }>({
  channel: 'sms',
  provider: () => ({ name: 'none', send: () => Promise.reject(new Error('never called')) }),
  render: ({ dispatch }) => ({ to: String(dispatch.contact.address) }),
});

/** Streams and consumers come from the migrate step (MIGRATE_ONLY, or MIGRATE_ON_BOOT), never from a plain start. */
describe('the migrate step provisions JetStream', () => {
  let env: TestEnv;

  beforeAll(async () => {
    env = await createTestEnv();
  });

  afterAll(async () => {
    await env.cleanup();
  });

  const module = (extra: Record<string, string> = {}) =>
    ChannelSenderModule.forRoot({
      service: 'sender-migratetest',
      config: loadConfig(senderEnv, buildSenderConfig, senderTestEnv(env, extra)),
      senders: [sender],
    });

  it('a service started with MIGRATE_ON_BOOT=false creates no consumer and says to run the migrate step', async () => {
    await expect(
      startTestService({ service: 'sender-migratetest', module: module({ MIGRATE_ON_BOOT: 'false' }) }),
    ).rejects.toThrow(/does not exist: run the migrate step/);
  });

  it('MIGRATE_ONLY creates the durable consumers, and then the service starts without creating any', async () => {
    const consumers = await runMigrateStep({
      service: 'sender-migratetest',
      module: module({ MIGRATE_ONLY: 'true' }),
      logger: createLogger('migrate', 'silent'),
    });
    expect(consumers.sort()).toEqual([
      'sender-migratetest-contact-erased',
      'sender-migratetest-feedback-sms',
      'sender-migratetest-sms',
    ]);
    const nc = await connect({ servers: env.natsUrl });
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info(
      env.names.streamOf(env.names.subjects.dispatch('sms')),
      'sender-migratetest-sms',
    );
    expect(info.config.filter_subject).toBe(env.names.subjects.dispatch('sms'));
    await nc.close();

    const svc = await startTestService({ service: 'sender-migratetest', module: module({ MIGRATE_ON_BOOT: 'false' }) });
    await svc.close();
  });
});
