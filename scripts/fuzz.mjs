#!/usr/bin/env node
// `npm run fuzz`: the fuzz tests (REST bodies of every write route, event payloads of every
// JetStream consumer) with a random seed and many more runs than `npm test` gives them.
// The seed is printed first; repeat a run with `npm run fuzz -- --seed=<seed>`.
//   --seed=N   fast-check seed (default: random)
//   --runs=N   runs per property (default 100)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const seed = Number(arg('seed') ?? Math.floor(Math.random() * 2 ** 31));
const runs = Number(arg('runs') ?? 100);
if (!Number.isInteger(seed) || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: npm run fuzz -- [--seed=N] [--runs=N]');
  process.exit(2);
}
console.log(`[fuzz] seed ${seed}, ${runs} runs per property (repeat: npm run fuzz -- --seed=${seed} --runs=${runs})`);
const child = spawn(
  process.execPath,
  [path.join(ROOT, 'scripts', 'test.mjs'), 'svc-gateway', '--', '--testPathPatterns', 'fuzz\\.e2e\\.ts$'],
  { cwd: ROOT, stdio: 'inherit', env: { ...process.env, SB_FUZZ_SEED: String(seed), SB_FUZZ_RUNS: String(runs) } },
);
child.on('exit', (code, signal) => {
  console.log(`[fuzz] seed ${seed} ${code === 0 ? 'passed' : 'FAILED'}`);
  process.exit(signal ? 1 : (code ?? 1));
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
