import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { createTestEnv, freePort, REPO_ROOT, type TestEnv } from '../src';

/** Processes (other than this one) whose environment carries this run's prefix. */
function processesOf(prefix: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`SB_PREFIX=${prefix}`))
        pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

describe('npm start', () => {
  let env: TestEnv;

  beforeAll(async () => {
    env = await createTestEnv();
  });

  afterAll(async () => {
    await env.cleanup();
  });

  it('brings every service to /ready, then stops leaving no process behind', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['scripts/start.mjs', '--exit-when-ready'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NATS_URL: env.natsUrl,
        DATABASE_URL: env.databaseUrl,
        SB_PREFIX: env.prefix,
        PORT: String(port),
        SB_ADMIN_USER: 'admin',
        SB_ADMIN_PASSWORD: 'start-test-password',
        NO_COLOR: '1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const log = output.join('');
    expect({ code, log: code === 0 ? '' : log }).toEqual({ code: 0, log: '' });
    for (const service of [
      'gateway',
      'catalog',
      'preferences',
      'campaign-actions',
      'router',
      'sender-email',
      'sender-sms',
      'sender-push',
      'sender-tweet',
      'sender-inapp',
      'tracker',
    ]) {
      expect(log).toMatch(new RegExp(`${service}\\b[^\\n]*ready`, 'i'));
    }
    expect(processesOf(env.prefix)).toEqual([]);
  }, 300_000);

  it('refuses to start a service whose port already answers (an earlier start still running), instead of reporting it ready', async () => {
    // catalog's health port, as scripts/services.mjs gives it.
    const squatter = createServer((_req, res) => res.end('{"status":"ready"}'));
    await new Promise<void>((resolve) => squatter.listen(9102, '127.0.0.1', resolve));
    try {
      const child = spawn(process.execPath, ['scripts/start.mjs', '--exit-when-ready', 'catalog'], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          NATS_URL: env.natsUrl,
          DATABASE_URL: env.databaseUrl,
          SB_PREFIX: env.prefix,
          NO_COLOR: '1',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output: string[] = [];
      child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const log = output.join('');
      expect(code).toBe(1);
      expect(log).toContain('already answering: catalog at http://127.0.0.1:9102/ready');
      expect(log).not.toMatch(/catalog\b[^\n]*ready \(/);
      expect(processesOf(env.prefix)).toEqual([]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 120_000);
});
