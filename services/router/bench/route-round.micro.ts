/**
 * The router's own CPU per routed contact, in process, without NATS or PostgreSQL: a batch of
 * send requests read from its envelope (as the consumer gets it), routed by the real RoutingService
 * (catalog, plan, the decide RPC's request encoded and its reply decoded by the real RpcClient,
 * the decision records' COPY down to its bytes, dispatches and outcomes through the real
 * BatchPublisher down to their bytes); and preferences' side of the decide RPC at its boundary
 * (the request decoded and checked as RpcServer does and unpacked, the decisions packed and
 * encoded). The peers' answers are made once and replayed, so each side's loop measures only its
 * own work. Not a test.
 *
 *   node --max-semi-space-size=64 -r @swc-node/register services/router/bench/route-round.micro.ts [--batch 1000] [--iterations 300]
 */
import type { JsMsg } from '@nats-io/jetstream';
import {
  acceptsSendRequestedAsIs,
  NatsNames,
  packDecisions,
  preferencesDecide,
  SendRequestedSchema,
  unpackDecisionRequests,
  type Channel,
  type Decision,
  type DecisionRequest,
  type RoutableMessage,
  type SendRequested,
} from '@switchboard/contracts';
import { BatchPublisher, EnvelopeReader, RpcClient, type Delivery, type EventPublisher } from '@switchboard/messaging';
import { createLogger } from '@switchboard/telemetry';
import { DecisionsRepository } from '../src/routing/decisions.repository';
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

/** What preferences decides for the benchmark's contacts: email, with the render fields of a contact that has an address and a first name. */
function decisionOf(req: DecisionRequest): Decision {
  const address = `${req.contactId}@example.org`;
  const fields = { firstname: `Reader ${req.contactId.slice(1)}`, lastname: null, email: address };
  return {
    sendId: req.sendId,
    outcome: 'routed',
    candidates: [...new Set(req.channels)],
    skipped: [],
    channel: 'email',
    contact: {
      id: req.contactId,
      address,
      locale: null,
      timezone: null,
      fields: Object.assign(fields, { mobile: null, twitterHandle: null, country: null }),
    },
  };
}

/**
 * RpcServer's and preferences' RPC boundary's work for one call (decode and check it, unpack the
 * requests, pack the decisions, encode the reply), the decisions themselves made once.
 */
let decided: Decision[] | undefined;
function serve(data: Uint8Array): Uint8Array {
  const body: unknown = JSON.parse(decoder.decode(data));
  const parsed = preferencesDecide.request.safeParse(body);
  if (!parsed.success) throw new Error(parsed.error.message);
  const requests = unpackDecisionRequests(parsed.data);
  decided ??= requests.map(decisionOf);
  return encoder.encode(JSON.stringify({ ok: true, data: { decisions: packDecisions(requests, decided) } }));
}

let lastRequest: Uint8Array | undefined;
let cannedReply: Uint8Array | undefined;
const nc = {
  request: async (_subject: string, data: Uint8Array) => {
    lastRequest = data;
    cannedReply ??= serve(data);
    return { data: cannedReply };
  },
};

let bytesOut = 0;
const publisher = {
  publishBytes: async (_subject: string, data: Uint8Array) => {
    bytesOut += data.length;
    return { stream: 'x', seq: 1, duplicate: false };
  },
} as unknown as EventPublisher;

/**
 * The real DecisionsRepository's store down to the bytes of its COPY: a transaction's query runner
 * whose connection takes the COPY's one socket write and answers it done.
 */
let copyBytes = 0;
const copyClient = {
  query: (copy: { submit(c: unknown): void; handleReadyForQuery(): void }) => {
    copy.submit({ stream: { write: (data: Uint8Array) => (copyBytes += data.length) } });
    copy.handleReadyForQuery();
  },
};
const decisions = new DecisionsRepository({ queryRunner: { connect: async () => copyClient } } as never);

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
  const prefs = await measure('preferences (decide request decoded + reply encoded)', async () => void serve(request));
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
