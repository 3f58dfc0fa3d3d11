import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createLogger } from '@switchboard/telemetry';
import { startService, type BootstrapOptions, type RunningService } from '@switchboard/service-kit';
import { waitFor } from './waiting';
import type { TestEnv } from './test-env';
import { childEnv } from './test-env';
import { join } from 'node:path';

/** Boots one service in-process on ephemeral ports. */
export async function startTestService(
  options: Omit<BootstrapOptions, 'healthPort'> & { healthPort?: number },
): Promise<RunningService> {
  return startService({
    healthPort: 0,
    logger: createLogger(options.service, process.env.TEST_LOG_LEVEL ?? 'silent'),
    ...options,
  });
}

export const REPO_ROOT = join(__dirname, '..', '..', '..');

export interface ChildService {
  process: ChildProcess;
  output: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** `SB_PROFILE_DIR=<dir>` makes every spawned service (and the route benchmark's relays) write a V8 CPU profile there when it stops (benchmarks' flame graphs). */
export function profileArgs(): string[] {
  const dir = process.env.SB_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** `nodeOptions` of the service's package.json, as `npm start` (scripts/services.mjs) and the Docker image run it. */
function nodeOptions(service: string): string[] {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'services', service, 'package.json'), 'utf8')) as {
    nodeOptions?: string[];
  };
  return manifest.nodeOptions ?? [];
}

/** Runs a service's main.ts as its own process (for crash tests), waiting for its /ready. */
export async function spawnService(
  env: TestEnv,
  service: string,
  extraEnv: Record<string, string> = {},
  healthPort: number,
): Promise<ChildService> {
  const args = [
    ...nodeOptions(service),
    ...profileArgs(),
    '-r',
    '@swc-node/register',
    join(REPO_ROOT, 'services', service, 'src', 'main.ts'),
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: childEnv(env, { HEALTH_PORT: String(healthPort), ...extraEnv }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${service} exited: ${output.join('')}`);
      const res = await fetch(`http://127.0.0.1:${healthPort}/ready`).catch(() => undefined);
      return res?.status === 200;
    },
    { timeoutMs: 60_000, intervalMs: 200, message: `${service} did not become ready` },
  ).catch(async (error: unknown) => {
    // Not handed to the caller, so nobody else would stop it.
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    throw error;
  });
  return {
    process: child,
    output,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      await exited;
    },
  };
}
