/**
 * The routing pipeline's messages without its work: what the messaging layer alone allows on this
 * machine, the ceiling the route benchmark's figure is read against. Same streams, schemas, batch
 * sizes, batch envelopes (DESIGN §5), consumer runner and publisher as the services; no PostgreSQL, no RPC, no routing rules.
 *
 *   expand: each campaign action → one send request per contact (campaign-actions without preferences)
 *   route:  each send request → a dispatch and a routed outcome (the router without catalog,
 *           preferences or its decision record)
 *
 *   node -r @swc-node/register services/router/bench/relay.ts <expand|route> <natsUrl> <prefix>
 */
import { createHash } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  CampaignActionSchema,
  NatsNames,
  SendRequestedSchema,
  type CampaignAction,
  type Dispatch,
  type RoutingOutcome,
  type SendRequested,
} from '@switchboard/contracts';
import {
  BatchPublisher,
  ConsumerRunner,
  EventPublisher,
  type BatchHandler,
  type ConsumerSpec,
} from '@switchboard/messaging';
import { createLogger } from '@switchboard/telemetry';

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

function expand(
  names: NatsNames,
  publisher: BatchPublisher,
): [ConsumerSpec<CampaignAction>, BatchHandler<CampaignAction>] {
  const spec = {
    durable: 'relay-expand',
    subject: names.subjects.campaignAction(),
    schema: CampaignActionSchema,
    batchSize: 16,
    concurrency: 2,
  };
  return [
    spec,
    async (batch) => {
      const now = new Date();
      const requestedAt = now.toISOString();
      const expiresAt = new Date(now.getTime() + 7 * 86_400_000).toISOString();
      const events: SendRequested[] = [];
      for (const { data: action } of batch) {
        for (const { id: contactId } of action.contacts) {
          const sendId = sha(`${action.actionId}\u0000${contactId}`);
          const payload = {
            sendId,
            messageId: action.messageId,
            contactId,
            requestedAt,
            expiresAt,
            deferrals: 0,
            attempt: 0,
          };
          events.push(payload);
        }
      }
      await publisher.publish(names.subjects.sendRequested(), events);
    },
  ];
}

function route(
  names: NatsNames,
  publisher: BatchPublisher,
): [ConsumerSpec<SendRequested>, BatchHandler<SendRequested>] {
  const spec = {
    durable: 'relay-route',
    subject: names.subjects.sendRequested(),
    schema: SendRequestedSchema,
    batchSize: 500,
    concurrency: 2,
  };
  return [
    spec,
    async (batch) => {
      const occurredAt = new Date().toISOString();
      const dispatches: Dispatch[] = [];
      const outcomes: RoutingOutcome[] = [];
      for (const { data: req } of batch) {
        const dispatchId = sha(`${req.sendId}\u00000`);
        const contact = {
          id: req.contactId,
          address: `${req.contactId}@example.org`,
          locale: null,
          timezone: null,
          fields: { firstname: `Reader ${req.contactId}` },
        };
        const dispatch: Dispatch = {
          dispatchId,
          sendId: req.sendId,
          messageId: req.messageId,
          channel: 'email',
          contentId: 1,
          contact,
        };
        const outcome: RoutingOutcome = {
          sendId: req.sendId,
          messageId: req.messageId,
          contactId: req.contactId,
          outcome: 'routed',
          candidates: ['email', 'sms', 'notification', 'mobile_notification', 'tweet'],
          skipped: [],
          deferrals: 0,
          attempt: 0,
          occurredAt,
          channel: 'email',
          dispatchId,
        };
        dispatches.push(dispatch);
        outcomes.push(outcome);
      }
      await Promise.all([
        publisher.publish(names.subjects.dispatch('email'), dispatches),
        publisher.publish(names.subjects.routing('routed'), outcomes),
      ]);
    },
  ];
}

async function main(): Promise<void> {
  const [stage, natsUrl, prefix] = process.argv.slice(2);
  if ((stage !== 'expand' && stage !== 'route') || !natsUrl || !prefix)
    throw new Error('usage: relay.ts <expand|route> <natsUrl> <prefix>');
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  const names = new NatsNames(prefix);
  const publisher = new EventPublisher(nc);
  const batches = new BatchPublisher(publisher, names);
  const [spec, handler] = stage === 'expand' ? expand(names, batches) : route(names, batches);
  const runner = new ConsumerRunner(spec as ConsumerSpec<unknown>, handler as BatchHandler<unknown>, {
    service: `relay-${stage}`,
    names,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    publisher,
    logger: createLogger(`relay-${stage}`, 'error'),
  });
  await runner.start();
  process.stdout.write('ready\n');
  process.once(
    'SIGTERM',
    () =>
      void runner
        .stop()
        .then(() => nc.close())
        .then(() => process.exit(0)),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
