import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, createTestEnv, freePort, REPO_ROOT, waitFor, type TestEnv } from '@switchboard/testing';

/**
 * What the image ships (deploy/docker/Dockerfile): `scripts/build.mjs` compiles every lib and
 * service to JavaScript, laid over a tree with the production node_modules and no TypeScript.
 * A compiled service must boot, migrate and answer /ready without the swc loader.
 */
describe('compiled build', () => {
  let env: TestEnv;
  let dir: string;

  beforeAll(async () => {
    env = await createTestEnv();
    dir = mkdtempSync(join(tmpdir(), 'sb-build-'));
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await env.cleanup();
  });

  it('compiles every lib and service but no test harness, and a compiled service runs without the TypeScript loader', async () => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs', '--out', join(dir, 'app'), '--no-typecheck'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const app = join(dir, 'app');
    const contracts = JSON.parse(readFileSync(join(app, 'libs/contracts/package.json'), 'utf8')) as { main: string };
    expect(contracts.main).toBe('src/index.js');
    expect(readdirSync(join(app, 'services/catalog/src')).filter((f) => f.endsWith('.ts'))).toEqual([]);
    // Test harnesses live in libs/testing, which is test-only: nothing of it may ship.
    expect(readdirSync(join(app, 'libs'))).not.toContain('testing');
    expect(readdirSync(join(app, 'libs/channel-sdk/src'))).not.toContain('testing');

    // node_modules as the image has it: third-party packages, and @switchboard/* → the compiled libs.
    mkdirSync(join(app, 'node_modules/@switchboard'), { recursive: true });
    for (const entry of readdirSync(join(REPO_ROOT, 'node_modules'))) {
      if (entry !== '@switchboard' && entry !== '.bin') {
        symlinkSync(join(REPO_ROOT, 'node_modules', entry), join(app, 'node_modules', entry));
      }
    }
    for (const lib of readdirSync(join(app, 'libs'))) {
      symlinkSync(join(app, 'libs', lib), join(app, 'node_modules/@switchboard', lib));
    }

    const healthPort = await freePort();
    const child = spawn(process.execPath, ['--enable-source-maps', 'services/catalog/src/main.js'], {
      cwd: app,
      env: childEnv(env, { HEALTH_PORT: String(healthPort) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`compiled catalog exited: ${output.join('')}`);
          const res = await fetch(`http://127.0.0.1:${healthPort}/ready`).catch(() => undefined);
          return res?.status === 200;
        },
        { timeoutMs: 60_000, intervalMs: 200, message: 'the compiled catalog did not become ready' },
      );
      expect(output.join('')).not.toMatch(/swc-node|\.ts:/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
