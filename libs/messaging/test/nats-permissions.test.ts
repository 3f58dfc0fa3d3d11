import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager, type ConsumerInfo } from '@nats-io/jetstream';
import { connect, errors, type NatsConnection } from '@nats-io/transport-node';
import {
  DispatchSchema,
  durableConsumers,
  NatsNames,
  natsInboxPrefix,
  natsPasswordVar,
  PROVISIONER_NATS_USER,
  SendRequestedSchema,
  SERVICE_NATS_USERS,
} from '@switchboard/contracts';
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
    // As libs/messaging connects a service: replies and pulled messages on its own inboxes.
    const nc = await connect({
      servers: url,
      user,
      pass: password(user),
      name: user,
      inboxPrefix: natsInboxPrefix(user),
    });
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'sb-nats-perms-'));
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    server = spawn('/usr/sbin/nats-server', ['-c', CONF, '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
      env: { ...process.env, ...Object.fromEntries(USERS.map((u) => [natsPasswordVar(u), password(u)])) },
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

    const spec = { ...durableConsumers(names).router.sendRequested, schema: SendRequestedSchema };
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

  describe("another service's durable consumers (a compromised sender against the router)", () => {
    const sendRequested = durableConsumers(names).router.sendRequested;
    const stream = names.streamOf(sendRequested.subject);
    let provisioner: NatsConnection;
    /** Publishes the send requests, as the gateway does. */
    let gateway: NatsConnection;
    let pjsm: Awaited<ReturnType<typeof jetstreamManager>>;
    let seq = 0;

    /** The router's durable as the migrate step leaves it, emptied, with one fresh send request in it. */
    const oneRequestWaiting = async () => {
      await pjsm.consumers.delete(stream, sendRequested.durable).catch(() => undefined);
      await pjsm.streams.purge(stream);
      await pjsm.consumers.add(stream, {
        durable_name: sendRequested.durable,
        filter_subject: sendRequested.subject,
        ack_policy: AckPolicy.Explicit,
      });
      await jetstream(gateway).publish(sendRequested.subject, JSON.stringify({ sendId: `s${++seq}` }));
    };
    const routerConsumer = async () => (await pjsm.consumers.info(stream, sendRequested.durable)) as ConsumerInfo;

    beforeAll(async () => {
      provisioner = await as('provisioner');
      gateway = await as('gateway');
      pjsm = await jetstreamManager(provisioner);
      await ensureStreams(pjsm, names);
    });

    it('lets the router fetch its own durable and ack, nak, mark working and term what it got', async () => {
      await oneRequestWaiting();
      await jetstream(gateway).publish(sendRequested.subject, JSON.stringify({ sendId: 'second' }));
      const router = await as('router');
      const consumer = await jetstream(router).consumers.get(stream, sendRequested.durable);
      const first = await consumer.next({ expires: 5_000 });
      expect(first?.json()).toEqual({ sendId: `s${seq}` });
      first!.working();
      expect(await first!.ackAck()).toBe(true);
      const second = await consumer.next({ expires: 5_000 });
      expect(second?.json()).toEqual({ sendId: 'second' });
      second!.nak();
      const again = await consumer.next({ expires: 5_000 });
      expect({ data: again?.json(), deliveries: again?.info.deliveryCount }).toEqual({
        data: { sendId: 'second' },
        deliveries: 2,
      });
      again!.term();
      await waitFor(async () => (await routerConsumer()).num_ack_pending === 0, {
        timeoutMs: 5_000,
        message: 'the term was not applied',
      });
      expect((await routerConsumer()).num_pending).toBe(0);
    });

    it('keeps the idle heartbeats of a waiting pull coming to the router, on its own inbox', async () => {
      await oneRequestWaiting();
      await pjsm.streams.purge(stream);
      const router = await as('router');
      const consumer = await jetstream(router).consumers.get(stream, sendRequested.durable);
      const messages = await consumer.consume({ idle_heartbeat: 1_000, expires: 10_000 });
      const seen: string[] = [];
      const statuses = (async () => {
        for await (const s of messages.status()) seen.push(s.type);
      })();
      const drained = (async () => {
        for await (const m of messages) m.ack();
      })();
      await waitFor(() => seen.includes('heartbeat'), { timeoutMs: 10_000, message: 'no idle heartbeat arrived' });
      expect(seen).not.toContain('heartbeats_missed');
      await messages.close();
      await Promise.all([statuses, drained]);
    });

    it("refuses a sender the router's durable: binding to it, reading its info and pulling from it", async () => {
      await oneRequestWaiting();
      const sender = await as('sender-email');
      await refusedPublish(jetstream(sender).consumers.get(stream, sendRequested.durable));
      await refusedPublish((await jetstreamManager(sender)).consumers.info(stream, sendRequested.durable));
      const pull = `$JS.API.CONSUMER.MSG.NEXT.${stream}.${sendRequested.durable}`;
      expect((await refusedPublish(sender.request(pull, JSON.stringify({ batch: 10, expires: 2e9 })))).subject).toBe(
        pull,
      );
      // Nothing was delivered: the request still waits for the router.
      const info = await routerConsumer();
      expect({ delivered: info.delivered.consumer_seq, pending: info.num_pending }).toEqual({
        delivered: 0,
        pending: 1,
      });
    });

    it("refuses a sender acking (or nak'ing, or terminating) a message the router holds", async () => {
      await oneRequestWaiting();
      const router = await as('router');
      const held = await (
        await jetstream(router).consumers.get(stream, sendRequested.durable)
      ).next({ expires: 5_000 });
      // What an attacker forges from sequences it can guess: the ack subject the server reads.
      const { deliveryCount, streamSequence, deliverySequence, timestampNanos, pending } = held!.info;
      const ack = `$JS.ACK.${stream}.${sendRequested.durable}.${deliveryCount}.${streamSequence}.${deliverySequence}.${timestampNanos}.${pending}`;
      const sender = await as('sender-email');
      for (const verb of ['+ACK', '-NAK', '+TERM'])
        expect((await refusedPublish(sender.request(ack, verb))).subject).toBe(ack);
      expect((await routerConsumer()).num_ack_pending).toBe(1);
      expect(await held!.ackAck()).toBe(true);
      expect((await routerConsumer()).num_ack_pending).toBe(0);
    });

    it("refuses a sender the inboxes the router's pulls and replies arrive on", async () => {
      const sender = await as('sender-email');
      for (const inbox of ['_INBOX.>', `${natsInboxPrefix('router')}.>`]) {
        const sub = sender.subscribe(inbox);
        const closed = await sub.closed;
        expect([inbox, closed]).toEqual([inbox, expect.any(errors.PermissionViolationError)]);
      }
    });

    it("refuses the tracker another sender's dispatch durable: a service gets its own durables, not a family's", async () => {
      const dispatch = { ...durableConsumers(names)['sender-sms'].dispatch[0], schema: DispatchSchema };
      await pjsm.consumers
        .add(names.streamOf(dispatch.subject), {
          durable_name: dispatch.durable,
          filter_subject: dispatch.subject,
          ack_policy: AckPolicy.Explicit,
        })
        .catch(() => undefined);
      const tracker = await as('tracker');
      await refusedPublish(jetstream(tracker).consumers.get(names.streamOf(dispatch.subject), dispatch.durable));
      const sms = await as('sender-sms');
      const own = await jetstream(sms).consumers.get(names.streamOf(dispatch.subject), dispatch.durable);
      expect((await own.info(true)).name).toBe(dispatch.durable);
    });
  });
});
