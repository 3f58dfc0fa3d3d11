import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, errors, type NatsConnection } from '@nats-io/transport-node';
import { NatsNames, PROVISIONER_NATS_USER, SendRequestedSchema, SERVICE_NATS_USERS } from '@switchboard/contracts';
import { createLogger } from '@switchboard/telemetry';
import { freePort, REPO_ROOT, waitFor } from '@switchboard/testing';
import { ConsumerRunner, ensureStreams, EventPublisher, Outcomes } from '../src';

const CONF = join(REPO_ROOT, 'deploy/nats/nats-server.conf');
const USERS = [PROVISIONER_NATS_USER, ...SERVICE_NATS_USERS];
/** A request refused by the server: nats.js rejects it with a RequestError caused by the violation. */
async function refusedPublish(
  request: Promise<unknown>,
): Promise<InstanceType<typeof errors.PermissionViolationError>> {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(errors.RequestError);
  const cause = (error as Error).cause;
  expect(cause).toBeInstanceOf(errors.PermissionViolationError);
  expect(cause).toMatchObject({ operation: 'publish' });
  return cause as InstanceType<typeof errors.PermissionViolationError>;
}

const password = (user: string) => `pw-${user}`;
const envName = (user: string) => `SB_NATS_PASSWORD_${user.toUpperCase().replace(/-/g, '_')}`;

/**
 * deploy/nats/nats-server.conf on a nats-server of this test's own: the migrate step's user
 * provisions streams and consumers; a service's user consumes its own durable and publishes its
 * own subjects, and is refused everything else — another service's subjects, and managing JetStream.
 */
describe('NATS permissions (deploy/nats/nats-server.conf)', () => {
  const names = new NatsNames('sb');
  const logger = createLogger('nats-permissions', 'silent');
  let server: ChildProcess;
  let storeDir: string;
  let url: string;
  const connections: NatsConnection[] = [];

  const as = async (user: string) => {
    const nc = await connect({ servers: url, user, pass: password(user), name: user });
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'sb-nats-perms-'));
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    server = spawn('/usr/sbin/nats-server', ['-c', CONF, '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
      env: { ...process.env, ...Object.fromEntries(USERS.map((u) => [envName(u), password(u)])) },
      stdio: 'ignore',
    });
    await waitFor(
      async () => {
        const nc = await connect({ servers: url, user: 'provisioner', pass: password('provisioner') }).catch(
          () => undefined,
        );
        await nc?.close();
        return Boolean(nc);
      },
      { timeoutMs: 20_000, message: 'nats-server with deploy/nats/nats-server.conf did not answer' },
    );
  });

  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close()));
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('lets the router consume its own durable and publish its own subjects, once the migrate step made them', async () => {
    const provisioner = await as('provisioner');
    const pjs = jetstream(provisioner);
    const pjsm = await jetstreamManager(provisioner);
    await ensureStreams(pjsm, names);

    const spec = {
      durable: 'router-send-requested',
      subject: names.subjects.sendRequested(),
      schema: SendRequestedSchema,
    };
    const deps = (nc: NatsConnection, jsm: Awaited<ReturnType<typeof jetstreamManager>>) => ({
      service: 'router',
      names,
      js: jetstream(nc),
      jsm,
      publisher: new EventPublisher(nc),
      logger,
    });
    await new ConsumerRunner(spec, () => Promise.resolve(), { ...deps(provisioner, pjsm), js: pjs }).provision();

    const router = await as('router');
    const handled: string[] = [];
    const runner = new ConsumerRunner(
      spec,
      (batch) => {
        handled.push(...batch.map((d) => d.data.sendId));
        return Promise.resolve(batch.map(() => Outcomes.done()));
      },
      { ...deps(router, await jetstreamManager(router)), provision: false },
    );
    await runner.start();
    const request = {
      sendId: 'send-1',
      messageId: 1,
      contactId: 'c1',
      requestedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    };
    await new EventPublisher(router).publish({
      subject: names.subjects.sendRequested(),
      payload: request,
      msgId: 'send-1',
    });
    await waitFor(() => handled.includes('send-1'), { timeoutMs: 15_000, message: 'the router did not consume' });
    await runner.stop();
    const info = await pjsm.consumers.info(names.streamOf(spec.subject), spec.durable);
    expect(info.num_ack_pending).toBe(0);
  });

  it("refuses the router another service's subjects, for publishing and for subscribing", async () => {
    const router = await as('router');
    const js = jetstream(router);
    const deliverySent = names.subjects.delivery('email', 'sent');
    expect((await refusedPublish(js.publish(deliverySent, '{}'))).subject).toBe(deliverySent);

    const sub = router.subscribe(`${names.prefix}.rpc.gateway.>`);
    const closed = await sub.closed;
    expect(closed).toBeInstanceOf(errors.PermissionViolationError);
    expect(closed).toMatchObject({ operation: 'subscription' });

    const dispatch = router.subscribe(names.subjects.dispatch('email'));
    expect(await dispatch.closed).toBeInstanceOf(errors.PermissionViolationError);
  });

  it('refuses a service user the JetStream management API: streams and consumers come from the migrate step', async () => {
    const tracker = await as('tracker');
    const jsm = await jetstreamManager(tracker);
    await refusedPublish(jsm.streams.add({ name: 'ROGUE', subjects: ['rogue.>'] }));
    await refusedPublish(
      jsm.consumers.add(names.streamOf(names.subjects.sendRequested()), { durable_name: 'tracker-sneaky' }),
    );
    await refusedPublish(jsm.streams.delete(names.streamOf(names.subjects.sendRequested())));
  });
});
