/**
 * The router's own CPU per routed contact, in process, without NATS or PostgreSQL: a batch of
 * send requests read from its envelope (as the consumer gets it), routed by the real RoutingService
 * (catalog, plan, the decide RPC's request encoded and its reply decoded by the real RpcClient,
 * the decision records in COPY's text format, dispatches and outcomes through the real
 * BatchPublisher down to their bytes), and preferences' side of the decide RPC (the request
 * decoded and checked as RpcServer does, the handler's reply encoded). The peers' answers are
 * made once and replayed, so each side's loop measures only its own work. Not a test.
 *
 *   node -r @swc-node/register services/router/bench/route-round.micro.ts [--batch 1000] [--iterations 300]
 */
import type { JsMsg } from '@nats-io/jetstream';
import {
  acceptsSendRequestedAsIs,
  NatsNames,
  preferencesDecide,
  SendRequestedSchema,
  type Channel,
  type DecisionRequest,
  type RoutableMessage,
  type SendRequested,
} from '@switchboard/contracts';
import { BatchPublisher, EnvelopeReader, RpcClient, type Delivery, type EventPublisher } from '@switchboard/messaging';
import { copyField } from '@switchboard/persistence';
import { createLogger } from '@switchboard/telemetry';
import { blankContact } from '../../preferences/src/contacts/contact.record';
import { judge, type ContactState } from '../../preferences/src/decisions/decision.policy';
import { DecisionsRpc } from '../../preferences/src/decisions/decisions.rpc';
import type { DecisionsService } from '../../preferences/src/decisions/decisions.service';
import type { DecisionRecord } from '../src/routing/decision.record';
import type { DecisionsRepository } from '../src/routing/decisions.repository';
import { RoutingService } from '../src/routing/routing.service';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const BATCH = arg('batch', 1_000);
const ITERATIONS = arg('iterations', 300);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const names = new NatsNames('bench');

// What the route benchmark sends: one email message, contacts with an email and a first name.
const message: RoutableMessage = {
  id: 7,
  isPublished: true,
  publishUp: null,
  publishDown: null,
  version: 1,
  channels: [{ channel: 'email', channelId: 11, isEnabled: true, contentAvailable: true }],
};
const now = new Date();
const requests: SendRequested[] = Array.from({ length: BATCH }, (_, i) => ({
  sendId: `${(i * 2654435761).toString(16).padStart(8, '0')}0f3c9a7e5d2b1c4a6e8f0a1b2c3d4e`.slice(0, 32),
  messageId: message.id,
  contactId: `c${i}`,
  requestedAt: now.toISOString(),
  expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
  deferrals: 0,
  attempt: 0,
  campaignId: '3',
  campaignEventId: '12',
}));
const sendBatch = encoder.encode(JSON.stringify({ sends: requests }));

function states(contactIds: string[]): Map<string, ContactState> {
  return new Map(
    contactIds.map((id) => {
      const contact = { ...blankContact(id, now), email: `${id}@example.org`, firstname: `Reader ${id.slice(1)}` };
      return [id, { contact: { ...contact, dnc: [] }, usage: new Map() }] as [string, ContactState];
    }),
  );
}

/** Preferences' handler with its decisions made once (judge on the contacts above); only the boundary runs each time. */
function preferencesHandler(): DecisionsRpc {
  let decided: ReturnType<typeof judge>['decision'][] | undefined;
  const service = {
    decide: async (reqs: DecisionRequest[]) => {
      if (!decided) {
        const byContact = states(reqs.map((r) => r.contactId));
        const settings = { defaultFrequency: {}, quietHours: {}, maxDeferrals: 10, concurrency: 1 };
        decided = reqs.map((r) => judge(r, byContact.get(r.contactId), settings, now.getTime()).decision);
      }
      return decided;
    },
  } as unknown as DecisionsService;
  return new DecisionsRpc(service);
}

const serverSide = preferencesHandler();

/** RpcServer's work for one request: decode and check it, run the handler, encode the reply. */
async function serve(data: Uint8Array): Promise<Uint8Array> {
  const body = JSON.parse(decoder.decode(data));
  const parsed = preferencesDecide.request.safeParse(body);
  if (!parsed.success) throw new Error(parsed.error.message);
  const reply = { ok: true, data: await serverSide.decide(parsed.data) };
  return encoder.encode(JSON.stringify(reply));
}

let lastRequest: Uint8Array | undefined;
let cannedReply: Uint8Array | undefined;
const nc = {
  request: async (_subject: string, data: Uint8Array) => {
    lastRequest = data;
    cannedReply ??= await serve(data);
    return { data: cannedReply };
  },
};

let bytesOut = 0;
const publisher = {
  publishJson: async (_subject: string, json: string) => {
    bytesOut += encoder.encode(json).length;
    return { stream: 'x', seq: 1, duplicate: false };
  },
} as unknown as EventPublisher;

const FIELDS: (keyof DecisionRecord)[] = [
  'sendId',
  'attempt',
  'deferrals',
  'messageId',
  'contactId',
  'campaignId',
  'campaignEventId',
  'shipmentId',
  'channels',
  'excludeChannels',
  'requestedAt',
  'expiresAt',
  'outcome',
  'channel',
  'dispatchId',
  'contentId',
  'candidates',
  'skipped',
  'reason',
  'retryAt',
  'decidedAt',
  'traceId',
  'tokens',
];
let copyBytes = 0;
const decisions = {
  store: async (records: DecisionRecord[]) => {
    let rows = '';
    for (const record of records) {
      let line = copyField(record[FIELDS[0]]);
      for (let i = 1; i < FIELDS.length; i++) line += '\t' + copyField(record[FIELDS[i]]);
      rows += line + '\n';
    }
    copyBytes += rows.length;
    return [];
  },
  findByKeys: async () => new Map(),
} as unknown as DecisionsRepository;

const available = new Set<Channel>(['email']);
const routing = new RoutingService(
  { getMany: async (ids: number[]) => new Map(ids.map((id) => [id, message])) } as never,
  { warmedUp: async () => undefined, available: () => available, unavailableDetail: () => 'none' } as never,
  decisions,
  new RpcClient(nc as never, names),
  new BatchPublisher(publisher, names),
  names,
  { routing: { decideTimeoutMs: 5_000, maxDeferrals: 10 } } as never,
  createLogger('router', 'silent'),
  { settle: async () => undefined } as never,
);
const reader = new EnvelopeReader<SendRequested>(
  names,
  names.subjects.sendRequested(),
  SendRequestedSchema,
  'router',
  acceptsSendRequestedAsIs,
);
const msg = {
  subject: names.subjects.sendRequested(),
  data: sendBatch,
  seq: 1,
  info: { deliveryCount: 1 },
} as unknown as JsMsg;

async function routeOnce(): Promise<void> {
  const received = reader.read(msg);
  if (received.kind !== 'batch') throw new Error(received.kind);
  const deliveries = received.items.flatMap((i) => ('delivery' in i ? [i.delivery as Delivery<SendRequested>] : []));
  const outcomes = await routing.route(deliveries.map((d) => d.data));
  if (outcomes.some((o) => o.kind !== 'done')) throw new Error('a send was not routed');
}

async function measure(label: string, run: () => Promise<void>): Promise<number> {
  for (let i = 0; i < Math.max(20, ITERATIONS / 5); i++) await run();
  const best: number[] = [];
  for (let r = 0; r < 5; r++) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < ITERATIONS / 5; i++) await run();
    const used = process.cpuUsage(cpu);
    best.push((used.user + used.system) / ((ITERATIONS / 5) * BATCH));
  }
  best.sort((a, b) => a - b);
  console.log(
    `${label}: median ${best[2].toFixed(2)} µs a contact (min ${best[0].toFixed(2)}, max ${best[4].toFixed(2)})`,
  );
  return best[2];
}

async function main(): Promise<void> {
  const router = await measure('router (envelope + routeRound)', routeOnce);
  const request = lastRequest!;
  const prefs = await measure(
    'preferences (decide request decoded + reply encoded)',
    async () => void (await serve(request)),
  );
  bytesOut = 0;
  copyBytes = 0;
  await routeOnce();
  console.log(
    `bytes a contact: decide request ${(request.length / BATCH).toFixed(0)}, reply ${(cannedReply!.length / BATCH).toFixed(0)}, ` +
      `dispatch + outcome ${(bytesOut / BATCH).toFixed(0)}, COPY ${(copyBytes / BATCH).toFixed(0)}`,
  );
  console.log(`MICRO_RESULT ${JSON.stringify({ router, preferences: prefs })}`);
}

void main();
