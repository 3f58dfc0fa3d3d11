import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { catalogItemSave, preferencesContactsBatchUpsert, type RoutingOutcome } from '@switchboard/contracts';
import type { RunningService } from '@switchboard/service-kit';
import {
  announceChannel,
  createTestEnv,
  spawnService,
  SubjectRecorder,
  waitFor,
  type ChildService,
  type TestEnv,
} from '@switchboard/testing';
import { connectClient, freePort, startNamedService, type Client } from './support/pipeline';

const SENDS = 40;

/**
 * DESIGN §2 end to end: a channel stays available while its sender is deployed, whether or not it
 * is up. The router (its own process) routes to email while the only sender-email is SIGKILLed,
 * the dispatches wait in its durable consumer and reach the SMTP server once it is back; a router
 * restarted meanwhile still knows email is deployed. A channel silent past CHANNEL_GONE_AFTER, or
 * one whose sender announced its removal, is skipped as `unavailable`.
 */
describe('channel availability (router, sender-email, real NATS and PostgreSQL)', () => {
  let env: TestEnv;
  let client: Client;
  let services: RunningService[] = [];
  let router: ChildService | undefined;
  let sender: ChildService | undefined;
  let smtp: SMTPServer;
  const received: string[] = [];
  let outcomes: SubjectRecorder<RoutingOutcome | { outcomes: RoutingOutcome[] }>;

  const spawnRouter = async (goneAfter = '24h') =>
    spawnService(
      env,
      'router',
      { CHANNEL_GONE_AFTER: goneAfter, ROUTER_CHANNEL_WARMUP_MS: '0', LOG_LEVEL: 'error' },
      await freePort(),
    );
  const spawnSender = async (extra: Record<string, string> = {}) =>
    spawnService(
      env,
      'sender-email',
      {
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String((smtp.server.address() as AddressInfo).port),
        SB_TRACKING_SECRET: 'secret-secret-secret-secret',
        LOG_LEVEL: 'error',
        ...extra,
      },
      await freePort(),
    );

  const save = async (kind: string, input: Record<string, unknown>) =>
    (await client.rpc.call(catalogItemSave, { kind, mode: 'create', input, actor: { id: null, name: 'test' } } as any))
      .item.id as number;

  const requestSends = async (messageId: number, prefix: string, count: number, contactOf = (i: number) => `c${i}`) => {
    const now = Date.now();
    await client.publisher.publishAll(
      Array.from({ length: count }, (_, i) => ({
        subject: env.names.subjects.sendRequested(),
        msgId: `${prefix}-${i}`,
        payload: {
          sendId: `${prefix}-${i}`,
          messageId,
          contactId: contactOf(i),
          requestedAt: new Date(now).toISOString(),
          expiresAt: new Date(now + 3_600_000).toISOString(),
        },
      })),
    );
  };
  /** Routing outcomes of the sends whose id starts with `prefix`, single or in batch messages (DESIGN §5). */
  const outcomesOf = (prefix: string) =>
    outcomes.messages
      .flatMap((m) => ('outcomes' in m.data ? m.data.outcomes : [m.data]))
      .filter((o) => o.sendId.startsWith(`${prefix}-`))
      .map((data) => ({ data }));

  beforeAll(async () => {
    env = await createTestEnv();
    client = await connectClient(env);
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, done) {
        stream.resume();
        stream.on('end', () => {
          received.push(session.envelope.rcptTo.map((r) => r.address).join());
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    outcomes = new SubjectRecorder(client.nc, [env.names.subjects.routing('*')]);
    services = await Promise.all(['catalog', 'preferences'].map((name) => startNamedService(name, env)));
    await client.rpc.call(preferencesContactsBatchUpsert, {
      contacts: [
        ...Array.from({ length: SENDS }, (_, i) => ({
          id: `c${i}`,
          email: `c${i}@example.com`,
          mobile: '+14155550123',
        })),
        { id: 'warm', email: 'warm@example.com' },
      ],
    });
  }, 90_000);

  afterAll(async () => {
    outcomes?.stop();
    await sender?.kill('SIGTERM');
    await router?.kill('SIGTERM');
    for (const s of services.reverse()) await s.close();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    await client?.nc.close();
    await env?.cleanup();
  });

  it('routes to email while its only sender is killed, and sends once it is back, across a router restart', async () => {
    const email = await save('email', { name: 'E', subject: 'Hi', customHtml: '<p>Hi</p>' });
    const messageId = await save('message', { name: 'm', channels: { email: { channelId: email, isEnabled: true } } });

    sender = await spawnSender();
    router = await spawnRouter();
    await requestSends(messageId, 'warm', 1, () => 'warm');
    await waitFor(() => received.length === 1, { timeoutMs: 30_000, message: 'the first email was not sent' }).catch(
      (error: Error) => {
        throw new Error(
          `${error.message}; outcomes ${JSON.stringify(outcomesOf('warm').map((o) => o.data))}; sender said ${sender?.output.join('')}`,
        );
      },
    );

    await sender.kill('SIGKILL');
    // The router forgets nothing it kept in memory: the registry is durable.
    await router.kill('SIGKILL');
    router = await spawnRouter();

    await requestSends(messageId, 'down', SENDS);
    const routed = await waitFor(() => (outcomesOf('down').length === SENDS ? outcomesOf('down') : undefined), {
      timeoutMs: 30_000,
      message: 'sends were not routed while the sender was down',
    });
    expect(routed.every((o) => o.data.outcome === 'routed' && o.data.channel === 'email')).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(received).toHaveLength(1);

    sender = await spawnSender();
    const waiting = Array.from({ length: SENDS }, (_, i) => `c${i}@example.com`);
    await waitFor(() => waiting.every((address) => received.includes(address)), {
      timeoutMs: 60_000,
      message: 'the waiting dispatches were not sent when the sender came back',
    });
    await new Promise((r) => setTimeout(r, 500));
    // The warm email may come again: the sender was killed after sending it, perhaps before its ack
    // (at least once). A dispatch that waited for the sender comes exactly once.
    expect(received.filter((address) => address !== 'warm@example.com').sort()).toEqual(waiting.sort());
  }, 150_000);

  it('skips a channel silent past CHANNEL_GONE_AFTER, and one whose sender announced its removal at once', async () => {
    await router?.kill('SIGTERM');
    router = await spawnRouter('3s');
    const sms = await save('sms', { name: 'S', message: 'Hi' });
    const smsOnly = await save('message', { name: 's', channels: { sms: { channelId: sms, isEnabled: true } } });

    announceChannel(client.nc, env.names, 'sms', 'deployed');
    await client.nc.flush();
    await requestSends(smsOnly, 'fresh', 1);
    await waitFor(() => outcomesOf('fresh').length === 1, { timeoutMs: 20_000 });
    expect(outcomesOf('fresh')[0].data).toMatchObject({ outcome: 'routed', channel: 'sms' });

    await new Promise((r) => setTimeout(r, 3_500)); // CHANNEL_GONE_AFTER is 3 s for this router
    await requestSends(smsOnly, 'silent', 1);
    await waitFor(() => outcomesOf('silent').length === 1, { timeoutMs: 20_000 });
    expect(outcomesOf('silent')[0].data).toMatchObject({
      outcome: 'failed',
      skipped: [{ channel: 'sms', reason: 'unavailable', detail: 'sender silent for longer than CHANNEL_GONE_AFTER' }],
    });

    // sender-email is deployed and up; shutting it down with SENDER_DECOMMISSION removes email at once.
    await sender?.kill('SIGTERM');
    sender = await spawnSender({ SENDER_DECOMMISSION: 'true' });
    await sender.kill('SIGTERM');
    sender = undefined;
    const email = await save('email', { name: 'E2', subject: 'Hi', customHtml: '<p>Hi</p>' });
    const emailOnly = await save('message', { name: 'e', channels: { email: { channelId: email, isEnabled: true } } });
    await requestSends(emailOnly, 'removed', 1);
    await waitFor(() => outcomesOf('removed').length === 1, { timeoutMs: 20_000 });
    expect(outcomesOf('removed')[0].data).toMatchObject({
      outcome: 'failed',
      skipped: [{ channel: 'email', reason: 'unavailable', detail: 'sender removed' }],
    });
  }, 120_000);
});
