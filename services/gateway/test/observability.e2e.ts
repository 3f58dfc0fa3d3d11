import { connect, type NatsConnection } from '@nats-io/transport-node';
import { preferencesContactsBatchUpsert } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import type { RunningService } from '@switchboard/service-kit';
import {
  createTestEnv,
  freePort,
  sampleSum,
  scrapeMetrics,
  spawnService,
  startNamedService,
  startOtlpReceiver,
  waitFor,
  type ChildService,
  type OtlpReceiver,
  type Sample,
  type TestEnv,
} from '@switchboard/testing';
import { startSmtpFake, type SmtpFake } from '@switchboard/svc-dev-providers';

const ADMIN = { user: 'admin', password: 'observability-admin-pw' };
const TRACED = ['gateway', 'router', 'preferences', 'sender-email', 'tracker'] as const;
type Traced = (typeof TRACED)[number];

/**
 * Operators' view of one send: every service a send crosses runs as its own process with the
 * standard OTEL_* variables pointing at a loopback OTLP/HTTP collector, and serves /metrics.
 * (The catalog runs in the test process: it only answers content lookups.)
 */
describe('observability: traces exported over OTLP, /metrics on every service', () => {
  let env: TestEnv;
  let receiver: OtlpReceiver;
  let smtp: SmtpFake;
  let catalog: RunningService;
  let nc: NatsConnection;
  const children: Partial<Record<Traced, ChildService>> = {};
  const healthPorts = {} as Record<Traced, number>;
  const before = {} as Record<Traced, Sample[]>;
  let base = '';
  let messageId = 0;
  const auth = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const metricsOf = (service: Traced) => scrapeMetrics(healthPorts[service]);
  const send = async (contactId: string): Promise<string> => {
    const res = await api('POST', `/api/messages/${messageId}/contact/${contactId}/send`);
    expect(res.status).toBe(202);
    return res.body.sendId as string;
  };

  beforeAll(async () => {
    env = await createTestEnv();
    receiver = await startOtlpReceiver();
    smtp = await startSmtpFake();
    catalog = await startNamedService('catalog', env);
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'error',
      SB_TRACKING_SECRET: 'observability-tracking-secret-0123456789',
    };
    const httpPort = await freePort();
    const extra: Record<Traced, Record<string, string>> = {
      preferences: {},
      tracker: {},
      router: { ROUTER_CHANNEL_WARMUP_MS: '500' },
      'sender-email': {
        SMTP_HOST: smtp.host,
        SMTP_PORT: String(smtp.port),
        // A dead SMTP server opens the breaker after two failed calls and keeps it open.
        SENDER_BREAKER_VOLUME: '2',
        SENDER_BREAKER_RESET_MS: '120000',
        SENDER_RETRY_BASE_MS: '50',
        SENDER_RETRY_MAX_MS: '100',
        SENDER_PROVIDER_TIMEOUT_MS: '3000',
      },
      gateway: { PORT: String(httpPort), SB_ADMIN_USER: ADMIN.user, SB_ADMIN_PASSWORD: ADMIN.password },
    };
    // One at a time: booting five processes at once on a busy machine outlasts the ready timeout.
    for (const name of TRACED) {
      healthPorts[name] = await freePort();
      children[name] = await spawnService(env, name, { ...otel, ...extra[name] }, healthPorts[name]);
    }
    base = `http://127.0.0.1:${httpPort}`;
    nc = await connect({ servers: env.natsUrl });
    await new RpcClient(nc, env.names, 10_000).call(preferencesContactsBatchUpsert, {
      contacts: [
        { id: 'crm:1', email: 'ada@example.com' },
        ...[2, 3, 4, 5].map((n) => ({ id: `crm:${n}`, email: `down${n}@example.com` })),
      ],
    });
    const email = await api('POST', '/api/emails/new', { name: 'Hello', subject: 'Hello', customHtml: '<p>Hi</p>' });
    const message = await api('POST', '/api/messages/new', {
      name: 'Hello',
      channels: { email: { channelId: email.body.email.id, isEnabled: true } },
    });
    messageId = message.body.message.id;
    for (const name of TRACED) before[name] = await metricsOf(name);
  }, 400_000);

  afterAll(async () => {
    await Promise.all(Object.values(children).map((c) => c.kill('SIGTERM')));
    await nc?.close();
    await catalog?.close();
    await smtp?.close();
    await receiver?.close();
    await env?.cleanup();
  });

  let sendId = '';
  let record: any;

  it('exports one send as one trace with spans from gateway, router, preferences, sender-email and tracker', async () => {
    sendId = await send('crm:1');
    record = await waitFor(
      async () => {
        const got = await api('GET', `/api/sends/${sendId}`);
        return (
          got.body?.send?.dispatches?.[0]?.events?.some((e: { event: string }) => e.event === 'sent') && got.body.send
        );
      },
      { timeoutMs: 30_000, intervalMs: 200, message: 'the send was not delivered' },
    );
    await smtp.waitForMessage((m) => m.envelope.rcptTo.includes('ada@example.com'));

    // GET /api/sends/{id} names the send's trace; wait until the collector holds all of it (the
    // tracker's span for the delivery event comes last; parents end after their children).
    const traceId = record.traceId as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const spans = await waitFor(
      () => {
        const found = receiver.spans.filter((s) => s.traceId === traceId);
        const ids = new Set(found.map((s) => s.spanId));
        const complete =
          TRACED.every((t) => found.some((s) => s.service === t)) &&
          found.some((s) => s.service === 'tracker' && /\.delivery\..* process$/.test(s.name)) &&
          found.filter((s) => !s.parentSpanId).length === 1 &&
          found.every((s) => !s.parentSpanId || ids.has(s.parentSpanId));
        return complete && found;
      },
      { timeoutMs: 20_000, intervalMs: 100, message: "the send's trace did not arrive whole from every service" },
    );
    const of = (service: Traced) => spans.filter((s) => s.service === service).map((s) => s.name);

    // The HTTP request is the root; every other span hangs off a span of the same trace.
    const root = spans.find((s) => !s.parentSpanId)!;
    expect(root).toMatchObject({ service: 'gateway', kind: 2 });
    expect(root.attributes['http.route']).toBe('/api/messages/:id/contact/:contactId/send');
    expect(root.name).toBe('POST /api/messages/:id/contact/:contactId/send');
    expect(of('router')).toEqual(expect.arrayContaining([expect.stringMatching(/send\.requested\.v1 process$/)]));
    expect(of('router')).toContain('rpc preferences.decide');
    expect(of('preferences')).toContain('rpc preferences.decide');
    expect(of('sender-email')).toEqual(expect.arrayContaining([expect.stringMatching(/dispatch\.email\.v1 process$/)]));
    expect(of('tracker')).toEqual(expect.arrayContaining([expect.stringMatching(/\.delivery\..* process$/)]));
    // Resource attributes name the service and its version.
    for (const s of spans) expect(s.resource['service.version']).toBe('0.1.0');
  });

  it('serves /metrics in Prometheus text on every service, and the send moved their counters', async () => {
    const after = {} as Record<Traced, Sample[]>;
    for (const name of TRACED) after[name] = await metricsOf(name); // parses strictly, or throws
    const moved = (service: Traced, metric: string, labels: Record<string, string> = {}) =>
      sampleSum(after[service], metric, labels) - sampleSum(before[service], metric, labels);

    const route = { route: '/api/messages/:id/contact/:contactId/send', method: 'POST', status: '202' };
    expect(moved('gateway', 'switchboard_http_requests_total', route)).toBe(1);
    expect(moved('gateway', 'switchboard_http_request_duration_seconds_count', route)).toBe(1);
    expect(moved('gateway', 'switchboard_events_published_total', { subject: 'send.requested.v1' })).toBe(1);

    expect(
      moved('router', 'switchboard_events_consumed_total', { subject: 'send.requested.v1', result: 'done' }),
    ).toBeGreaterThanOrEqual(1);
    expect(moved('router', 'switchboard_routing_outcomes_total', { outcome: 'routed', channel: 'email' })).toBe(1);
    expect(moved('router', 'switchboard_handler_duration_seconds_count', { consumer: 'router-send-requested' })).toBe(
      1,
    );
    expect(moved('router', 'switchboard_events_published_total', { subject: 'dispatch.email.v1' })).toBe(1);
    expect(
      after.router.some(
        (s) => s.name === 'switchboard_consumer_pending' && s.labels.consumer === 'router-send-requested',
      ),
    ).toBe(true);

    expect(
      moved('preferences', 'switchboard_rpc_duration_seconds_count', {
        side: 'server',
        rpc: 'preferences.decide',
        result: 'ok',
      }),
    ).toBeGreaterThanOrEqual(1);

    expect(
      moved('sender-email', 'switchboard_delivery_events_total', { channel: 'email', event: 'sent', provider: 'smtp' }),
    ).toBe(1);
    expect(
      moved('sender-email', 'switchboard_provider_call_duration_seconds_count', {
        provider: 'email:smtp',
        result: 'ok',
      }),
    ).toBe(1);
    expect(sampleSum(after['sender-email'], 'switchboard_breaker_state', { provider: 'email:smtp' })).toBe(0);

    expect(
      moved('tracker', 'switchboard_events_consumed_total', { subject: 'delivery.email.sent.v1', result: 'done' }),
    ).toBeGreaterThanOrEqual(1);
    for (const name of TRACED) expect(after[name].some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
  });

  it("shows the breaker opening in the sender's metrics when the SMTP server goes down", async () => {
    smtp.setDown(true);
    for (const n of [2, 3, 4, 5]) await send(`crm:${n}`);
    const samples = await waitFor(
      async () => {
        const s = await metricsOf('sender-email');
        return sampleSum(s, 'switchboard_breaker_state', { provider: 'email:smtp' }) === 2 && s;
      },
      { timeoutMs: 30_000, intervalMs: 200, message: 'the breaker did not open' },
    );
    expect(
      sampleSum(samples, 'switchboard_breaker_transitions_total', { provider: 'email:smtp', state: 'open' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sampleSum(samples, 'switchboard_provider_call_duration_seconds_count', {
        provider: 'email:smtp',
        result: 'error',
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sampleSum(samples, 'switchboard_events_consumed_total', { subject: 'dispatch.email.v1', result: 'retry' }),
    ).toBeGreaterThanOrEqual(1);
  });
});
