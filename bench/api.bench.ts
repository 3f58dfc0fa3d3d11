/**
 * REST API throughput and latency (issue 3 / issue 8): GET /api/messages/{id}, a list page and a
 * deliveries page, against gateway + catalog + tracker running as their own processes on the
 * machine's NATS and PostgreSQL. `--seconds S --concurrency C`.
 */
import { createTestEnv, freePort, peakRssMb, spawnService, type ChildService } from '@switchboard/testing';
import { emitResult, flag, numberArg } from './lib/report';
import { httpLoad } from './lib/http-load';
import { round } from './lib/stats';

const ADMIN = { user: 'bench', password: 'bench-password-123' };

void (async () => {
  const quick = flag('quick');
  const seconds = numberArg('seconds', quick ? 3 : 10);
  const concurrency = numberArg('concurrency', 16);
  const env = await createTestEnv();
  const children: Record<string, ChildService> = {};
  try {
    const port = await freePort();
    for (const name of ['catalog', 'tracker'])
      children[name] = await spawnService(env, name, { LOG_LEVEL: 'error' }, await freePort());
    children.gateway = await spawnService(
      env,
      'gateway',
      { LOG_LEVEL: 'error', PORT: String(port), SB_ADMIN_USER: ADMIN.user, SB_ADMIN_PASSWORD: ADMIN.password },
      await freePort(),
    );
    const base = `http://127.0.0.1:${port}`;
    const auth = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;
    const post = async (path: string, body: unknown) => {
      const res = await fetch(base + path, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, { id: number }>;
    };
    const email = await post('/api/emails/new', {
      name: 'Bench',
      subject: 'Hi {{ contact.firstname }}',
      customHtml: '<p>Hello</p>',
      isPublished: true,
    });
    let messageId = 0;
    for (let i = 0; i < 50; i++) {
      const created = await post('/api/messages/new', {
        name: `Bench message ${i}`,
        channels: { email: { channelId: email.email.id, isEnabled: true } },
      });
      messageId = created.message.id;
    }
    const headers = { authorization: auth };
    const results: Record<string, Awaited<ReturnType<typeof httpLoad>>> = {};
    await httpLoad(`${base}/api/messages/${messageId}`, { seconds: 1, concurrency, headers }); // warm-up
    results.getMessage = await httpLoad(`${base}/api/messages/${messageId}`, { seconds, concurrency, headers });
    results.listMessages = await httpLoad(`${base}/api/messages?limit=30`, { seconds, concurrency, headers });
    results.deliveriesPage = await httpLoad(`${base}/api/deliveries?limit=50`, { seconds, concurrency, headers });
    const memoryMb = Object.fromEntries(Object.entries(children).map(([name, c]) => [name, peakRssMb(c.process.pid!)]));
    for (const [name, r] of Object.entries(results)) {
      console.log(
        `api ${name}: ${round(r.perSecond, 0)} req/s, p50 ${round(r.p50Ms)} ms, p99 ${round(r.p99Ms)} ms, max ${round(r.maxMs)} ms, errors ${r.errors}`,
      );
    }
    emitResult('api', {
      concurrency,
      seconds,
      ...Object.fromEntries(
        Object.entries(results).map(([k, r]) => [
          k,
          {
            perSecond: round(r.perSecond, 0),
            p50Ms: round(r.p50Ms, 2),
            p99Ms: round(r.p99Ms, 2),
            maxMs: round(r.maxMs, 1),
            errors: r.errors,
          },
        ]),
      ),
      memoryMb,
    });
  } finally {
    await Promise.all(Object.values(children).map((c) => c.kill('SIGTERM')));
    await env.cleanup();
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
