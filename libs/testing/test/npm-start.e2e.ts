import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { natsPasswordVar, PROVISIONER_NATS_USER, SERVICE_NATS_USERS } from '@switchboard/contracts';
import { createTestEnv, freePort, REPO_ROOT, waitFor, type TestEnv } from '../src';

/** Processes (other than this one) whose environment carries this run's prefix (or `VAR=value`). */
function processesOf(prefix: string, entry = `SB_PREFIX=${prefix}`): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry)) pids.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** `npm start --exit-when-ready` with these variables over this process's: its exit code and everything it printed. */
async function startUntilReady(vars: Record<string, string>): Promise<{ code: number | null; log: string }> {
  const child = spawn(process.execPath, ['scripts/start.mjs', '--exit-when-ready'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, log: output.join('') };
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
    const { code, log } = await startUntilReady({
      NATS_URL: env.natsUrl,
      DATABASE_URL: env.databaseUrl,
      SB_PREFIX: env.prefix,
      PORT: String(port),
      SB_ADMIN_USER: 'admin',
      SB_ADMIN_PASSWORD: 'start-test-password',
      NO_COLOR: '1',
      LOG_LEVEL: 'warn',
    });
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

  it("starts every service against a NATS that runs deploy/nats/nats-server.conf (docker compose's): migrate steps as provisioner, each service as its own user", async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'sb-start-nats-'));
    const natsPort = await freePort();
    const natsUrl = `nats://127.0.0.1:${natsPort}`;
    // The passwords compose-env would print; npm start reads them from the same variables.
    const passwords = Object.fromEntries(
      [PROVISIONER_NATS_USER, ...SERVICE_NATS_USERS].map((u) => [natsPasswordVar(u), `start-test-${u}`]),
    );
    const nats: ChildProcess = spawn(
      '/usr/sbin/nats-server',
      [
        '-c',
        join(REPO_ROOT, 'deploy/nats/nats-server.conf'),
        '-a',
        '127.0.0.1',
        '-p',
        String(natsPort),
        '-sd',
        storeDir,
      ],
      { env: { ...process.env, ...passwords }, stdio: 'ignore' },
    );
    try {
      await waitFor(
        async () => {
          const nc = await connect({ servers: natsUrl, user: 'provisioner', pass: 'start-test-provisioner' }).catch(
            () => undefined,
          );
          await nc?.close();
          return Boolean(nc);
        },
        { timeoutMs: 20_000, message: 'nats-server with deploy/nats/nats-server.conf did not answer' },
      );
      const port = await freePort();
      const { code, log } = await startUntilReady({
        ...passwords,
        NATS_URL: natsUrl,
        DATABASE_URL: env.databaseUrl,
        // The conf's subjects are under the prefix "sb"; this nats-server is ours alone.
        SB_PREFIX: 'sb',
        PORT: String(port),
        SB_ADMIN_USER: 'admin',
        SB_ADMIN_PASSWORD: 'start-test-password',
        NO_COLOR: '1',
        LOG_LEVEL: 'warn',
      });
      expect({ code, log: code === 0 ? '' : log }).toEqual({ code: 0, log: '' });
      expect(log).toContain('users required');
      expect(log).toContain('migrate steps as provisioner first');
      for (const service of SERVICE_NATS_USERS) expect(log).toMatch(new RegExp(`${service}\\b[^\\n]*ready`, 'i'));
      expect(processesOf('sb', `NATS_URL=${natsUrl}`)).toEqual([]);
    } finally {
      const exited = new Promise((resolve) => nats.once('exit', resolve));
      nats.kill('SIGTERM');
      await exited;
      rmSync(storeDir, { recursive: true, force: true });
    }
  }, 400_000);
});
