// One service's migrate step alone (MIGRATE_ONLY=true: its migrations, the JetStream streams and
// its durable consumers, then exit), as scripts/migrate.mjs and the chaos cluster run it.
import { spawn } from 'node:child_process';
import { ROOT, migrateEnv, serviceArgs } from '../services.mjs';
import { stopTree } from './procs.mjs';

/**
 * Runs `svc`'s migrate step with migrateEnv(svc, ctx); resolves with its exit code and the tail of
 * its output. `children` (a Set) holds the child while it runs, for a caller to stop on a signal.
 */
export function runMigrateStep(svc, ctx, { timeoutMs = 300_000, children = new Set() } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, serviceArgs(svc), {
      cwd: ROOT,
      env: migrateEnv(svc, ctx),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let output = '';
    const keep = (chunk) => (output = (output + chunk).slice(-4_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      keep(`\n(no exit after ${timeoutMs} ms: stopped)`);
      void stopTree(child);
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code: code ?? 1, output });
    });
  });
}

/** Runs the migrate steps of `services`, `parallel` at a time; resolves with the names of those that failed. */
export async function runMigrateSteps(services, ctx, { parallel = 3, onDone = () => undefined, ...options } = {}) {
  const failed = [];
  const queue = [...services];
  await Promise.all(
    Array.from({ length: Math.min(parallel, queue.length) }, async () => {
      for (let svc = queue.shift(); svc && !options.isInterrupted?.(); svc = queue.shift()) {
        const started = Date.now();
        const result = await runMigrateStep(svc, ctx, options);
        if (result.code !== 0) failed.push(svc.name);
        onDone(svc, result, Date.now() - started);
      }
    }),
  );
  return failed;
}
