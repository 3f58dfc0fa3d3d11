import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@switchboard/testing';

/**
 * The chaos suite's short form (scripts/chaos.mjs, issue 14): a Switchboard of its own with its own
 * nats-server and PostgreSQL, a campaign of 1,500 contacts by email and SMS, sender-email and the
 * router SIGKILLed and nats-server restarted while it runs; then every check from the outside
 * (one routing outcome per send, none failed, every one at its fake provider, repeats within the
 * calls in flight and named by resentAfterCrash, no dead letter). `npm run chaos` is the full form.
 */
describe('chaos, short form (npm run chaos with CHAOS_PLAN=short)', () => {
  let child: ReturnType<typeof spawn> | undefined;
  // A timed-out test must not leave the harness (and the servers it started) running.
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGTERM');
  });

  it(
    'loses no send and repeats only what was in flight when sender-email, the router and NATS go down',
    async () => {
      child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'chaos.mjs')], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          CHAOS_CONTACTS: process.env.CHAOS_CONTACTS ?? '1500',
          CHAOS_PLAN: 'short',
          CHAOS_DRAIN_TIMEOUT_MS: String(10 * 60_000),
          CHAOS_KEEP: 'failure',
          NO_COLOR: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const running = child;
      running.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      running.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => running.on('exit', (c) => resolve(c)));
      const last = output.trim().split('\n').at(-1);
      if (code !== 0) console.log(output);
      expect(last).toMatch(/^\d+ passed, 0 failed$/);
      expect(code).toBe(0);
    },
    20 * 60_000,
  );
});
