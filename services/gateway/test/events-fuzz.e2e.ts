import fc from 'fast-check';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { generateVAPIDKeys } from 'web-push';
import type { z } from 'zod';
import {
  BATCH_KEYS,
  CampaignActionSchema,
  CHANNELS,
  ContactErasedSchema,
  FeedbackReportedSchema,
  ContactUpsertedSchema,
  DeadLetterSchema,
  DELIVERY_EVENTS,
  DeliveryEventSchema,
  DispatchSchema,
  ROUTING_OUTCOMES,
  RoutingOutcomeSchema,
  SendRequestedSchema,
  ShipmentCanceledSchema,
  type DeadLetter,
  type NatsNames,
} from '@switchboard/contracts';
import type { RunningService } from '@switchboard/service-kit';
import {
  createTestEnv,
  fuzzParameters,
  nastyJson,
  nastyObject,
  startNamedService,
  waitFor,
  type TestEnv,
} from '@switchboard/testing';

/** Every subject a service consumes, with the schema its consumers check at the door. */
function families(names: NatsNames): { subjects: string[]; schema: z.ZodType }[] {
  return [
    { subjects: [names.subjects.campaignAction()], schema: CampaignActionSchema },
    { subjects: [names.subjects.shipmentCanceled()], schema: ShipmentCanceledSchema },
    { subjects: [names.subjects.sendRequested()], schema: SendRequestedSchema },
    { subjects: CHANNELS.map((c) => names.subjects.dispatch(c)), schema: DispatchSchema },
    { subjects: ROUTING_OUTCOMES.map((o) => names.subjects.routing(o)), schema: RoutingOutcomeSchema },
    { subjects: DELIVERY_EVENTS.map((e) => names.subjects.delivery('email', e)), schema: DeliveryEventSchema },
    { subjects: [names.subjects.contactUpserted()], schema: ContactUpsertedSchema },
    { subjects: [names.subjects.contactErased()], schema: ContactErasedSchema },
    { subjects: CHANNELS.map((c) => names.subjects.feedbackReported(c)), schema: FeedbackReportedSchema },
  ];
}

const shapeKeys = (schema: z.ZodType): string[] => Object.keys((schema as { shape?: object }).shape ?? {});
const BATCH_KEY_SET = new Set<string>(Object.values(BATCH_KEYS));

/** NATS subject matching: `*` one token, `>` the rest. */
function matches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

/** A payload no consumer of `schema` can accept: hostile JSON, the schema's keys with wrong values, or not JSON. */
function malformed(schema: z.ZodType): fc.Arbitrary<Uint8Array> {
  const json = fc
    .oneof(nastyJson, nastyObject(shapeKeys(schema)))
    .filter((v) => !schema.safeParse(v).success)
    // A batch envelope dead-letters item by item; the messages here are single events.
    .filter((v) => !(v && typeof v === 'object' && Object.keys(v).some((k) => BATCH_KEY_SET.has(k))))
    .map((v) => new TextEncoder().encode(JSON.stringify(v) ?? 'undefined'));
  const bytes = fc.uint8Array({ maxLength: 64 }).filter((b) => {
    try {
      return !schema.safeParse(JSON.parse(new TextDecoder().decode(b))).success;
    } catch {
      return true;
    }
  });
  return fc.oneof({ weight: 3, arbitrary: json }, { weight: 1, arbitrary: bytes });
}

const SERVICES = [
  'campaign-actions',
  'preferences',
  'router',
  'tracker',
  'sender-email',
  'sender-sms',
  'sender-push',
  'sender-tweet',
];

/**
 * Issue #23 point 7: malformed payloads on every subject a JetStream consumer reads, with every
 * consuming service running. Each one lands on the dead-letter subject once per consumer that reads
 * it, with its reason, and every consumer still works afterwards.
 */
describe('event fuzz: every JetStream consumer', () => {
  const { seed, numRuns } = fuzzParameters(40);
  let env: TestEnv;
  let nc: NatsConnection;
  const services: RunningService[] = [];
  let dlq: Subscription;
  const letters = new Map<string, DeadLetter[]>();
  const consumers: { durable: string; filter: string }[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    // One at a time: several services migrating the same new database at once raced at boot.
    const vapid = generateVAPIDKeys();
    for (const name of SERVICES) {
      services.push(
        await startNamedService(name, env, {
          SB_TRACKING_SECRET: 'fuzz-tracking-secret-0123456789abcdef',
          X_USER_TOKEN: 'x',
          VAPID_PUBLIC_KEY: vapid.publicKey,
          VAPID_PRIVATE_KEY: vapid.privateKey,
          VAPID_SUBJECT: 'mailto:fuzz@example.com',
          SMS_PROVIDER: 'twilio',
          TWILIO_BASE_URL: 'http://127.0.0.1:9',
          TWILIO_ACCOUNT_SID: 'AC0',
          TWILIO_AUTH_TOKEN: 'x',
          TWILIO_FROM: '+15005550006',
        }),
      );
    }
    nc = await connect({ servers: env.natsUrl });
    dlq = nc.subscribe(`${env.prefix}.dlq.>`, {
      callback: (_err, msg) => {
        const letter = DeadLetterSchema.parse(msg.json());
        const id = letter.headers['sb-fuzz-id'];
        if (id) letters.set(id, [...(letters.get(id) ?? []), letter]);
      },
    });
    const jsm = await jetstreamManager(nc);
    for await (const stream of jsm.streams.list()) {
      // The NATS is shared: only this run's streams.
      if (!stream.config.name.startsWith(`${env.prefix.toUpperCase()}_`)) continue;
      for await (const info of jsm.consumers.list(stream.config.name)) {
        if (info.config.durable_name && info.config.filter_subject)
          consumers.push({ durable: info.config.durable_name, filter: info.config.filter_subject });
      }
    }
  }, 180_000);
  afterAll(async () => {
    dlq?.unsubscribe();
    await nc?.close();
    await Promise.all(services.map((s) => s.close()));
    await env?.cleanup();
  });

  let published = 0;
  async function publish(
    subject: string,
    data: Uint8Array,
  ): Promise<{ id: string; subject: string; data: Uint8Array }> {
    const id = `f${published++}`;
    const h = natsHeaders();
    h.set('sb-fuzz-id', id);
    nc.publish(subject, data, { headers: h });
    return { id, subject, data };
  }

  async function expectDeadLettered(sent: { id: string; subject: string; data: Uint8Array }[]): Promise<void> {
    const expected = (subject: string) => consumers.filter((c) => matches(c.filter, subject)).length;
    const missing = () => sent.filter((s) => (letters.get(s.id)?.length ?? 0) < expected(s.subject));
    await waitFor(() => missing().length === 0, {
      timeoutMs: 60_000,
      message: `seed ${seed}: not dead-lettered by every consumer`,
    }).catch((error: Error) => {
      const first = missing()[0];
      throw new Error(
        `${error.message}; first: ${first?.subject} ${JSON.stringify(new TextDecoder().decode(first?.data))} ` +
          `(${letters.get(first?.id ?? '')?.length ?? 0} of ${expected(first?.subject ?? '')})`,
      );
    });
    for (const s of sent) {
      for (const letter of letters.get(s.id) ?? []) {
        expect({ seed, subject: letter.subject, payload: letter.payload }).toEqual({
          seed,
          subject: s.subject,
          payload: new TextDecoder().decode(s.data),
        });
        expect(letter.error.length).toBeGreaterThan(0);
      }
    }
  }

  it('finds a durable consumer on every family, in every service started', () => {
    const subjects = families(env.names).flatMap((f) => f.subjects);
    expect(consumers.length).toBeGreaterThanOrEqual(15);
    for (const c of consumers) {
      if (c.filter.startsWith(`${env.prefix}.dlq.`) || c.filter.includes('.registry.')) continue;
      expect({ durable: c.durable, read: subjects.some((s) => matches(c.filter, s)) }).toEqual({
        durable: c.durable,
        read: true,
      });
    }
  });

  it('dead-letters every malformed event, with its reason, once per consumer that reads it', async () => {
    const samples = fc.sample(
      fc.oneof(...families(env.names).map((f) => fc.tuple(fc.constantFrom(...f.subjects), malformed(f.schema)))),
      { seed, numRuns },
    );
    const sent = [];
    for (const [subject, data] of samples) sent.push(await publish(subject, data));
    await nc.flush();
    await expectDeadLettered(sent);
  }, 180_000);

  it('keeps every consumer working afterwards', async () => {
    const sent = [];
    for (const subject of families(env.names).flatMap((f) => f.subjects))
      sent.push(await publish(subject, new TextEncoder().encode('"still there?"')));
    await nc.flush();
    await expectDeadLettered(sent);
    const reached = new Set(sent.flatMap((s) => (letters.get(s.id) ?? []).map((l) => l.service)));
    expect([...reached].sort()).toEqual([...SERVICES].sort());
  }, 120_000);
});
