/**
 * Load check of the catalog API (not a test): boots catalog and gateway as their own processes
 * on a fresh TestEnv, seeds messages, then measures GET /api/messages/{id} and a list page.
 *
 *   node -r @swc-node/register services/gateway/test/load/api-load.ts [seconds=10] [connections=32]
 *
 * Prints one line per route and, last, one JSON line with every figure.
 */
import http from 'node:http';
import { createTestEnv, spawnService } from '@switchboard/testing';

const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = Number(process.argv[3] ?? 32);
const PORT = 18_480 + Math.floor(Math.random() * 500);
const auth = `Basic ${Buffer.from('admin:load-check-password').toString('base64')}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function request(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = { authorization: auth, ...(payload ? { 'content-type': 'application/json' } : {}) };
    const req = http.request({ host: '127.0.0.1', port: PORT, method, path, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function load(path: string, seconds: number): Promise<{ path: string; rps: number; p50: number; p99: number; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) {
        const started = process.hrtime.bigint();
        const res = await request('GET', path);
        if (res.status !== 200) errors++;
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))].toFixed(2));
  return { path, rps: Math.round(latencies.length / seconds), p50: at(0.5), p99: at(0.99), errors };
}

async function main(): Promise<void> {
  const env = await createTestEnv();
  const extra = { SB_ADMIN_USER: 'admin', SB_ADMIN_PASSWORD: 'load-check-password', LOG_LEVEL: 'warn' };
  const catalog = await spawnService(env, 'catalog', extra, PORT + 1);
  const gateway = await spawnService(env, 'gateway', { ...extra, PORT: String(PORT) }, PORT + 2);
  try {
    const email = JSON.parse((await request('POST', '/api/emails/new', { name: 'Email', subject: 'Hi' })).text).email;
    const sms = JSON.parse((await request('POST', '/api/smses/new', { name: 'Sms', message: 'Hi' })).text).sms;
    const channels = { email: { channelId: email.id, isEnabled: true }, sms: { channelId: sms.id, isEnabled: true } };
    const items = Array.from({ length: 200 }, (_, i) => ({ name: `Message ${i}`, description: 'Load check', channels }));
    const seeded = JSON.parse((await request('POST', '/api/messages/batch/new', items)).text).messages;
    const id = seeded[100].id as number;
    await load(`/api/messages/${id}`, 2); // warm-up
    const results = [await load(`/api/messages/${id}`, SECONDS), await load('/api/messages?limit=30&orderBy=name', SECONDS)];
    for (const r of results) console.log(`${r.path}: ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}`);
    console.log(JSON.stringify({ connections: CONNECTIONS, seconds: SECONDS, results }));
  } finally {
    await gateway.kill();
    await catalog.kill();
    await env.cleanup();
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
