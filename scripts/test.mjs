#!/usr/bin/env node
// `npm test`: every project's Jest suite, against the real NATS and PostgreSQL (started under
// .data/ when they do not answer; see scripts/infra.mjs), one project at a time through Nx.
//
// Each project's results land in .data/test-results/<package>.json (what `jest --json` prints,
// written by scripts/jest-results-reporter.cjs); at the end the totals are printed, and the last
// line is exactly `tests: N passed, N failed` (`, N skipped` when any). Exit status is non-zero
// when anything failed or when no test ran.
//
// Usage:
//   npm test                                   all projects
//   npm test -- messaging svc-router           only these projects (package names, scope optional)
//   npm test -- --projects=@switchboard/messaging --exclude=...     any `nx run-many` option
//   npm test -- router -- -t "falls back"      after a second `--`: arguments for Jest itself
// Environment: SB_TEST_TIMEOUT_MS (a limit for the whole run; default 80 min under CI=true).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { DATA_DIR, ROOT } from './services.mjs';
import { ensureDependencies } from './lib/deps.mjs';
import { bold, green, red, signalTree, stopTree, yellow, dim } from './lib/procs.mjs';

const RESULTS_DIR = path.join(DATA_DIR, 'test-results');
const REPORTER = path.join(ROOT, 'scripts', 'jest-results-reporter.cjs');
const tag = bold('[test]');
const say = (m) => console.log(`${tag} ${m}`);

let infra = null;
let infraModule = null;
let nx = null;
let stopping = false;

function workspaceProjects() {
  const out = [];
  for (const group of ['libs', 'services']) {
    const dir = path.join(ROOT, group);
    if (!existsSync(dir)) continue;
    for (const d of readdirSync(dir)) {
      const file = path.join(dir, d, 'package.json');
      if (!existsSync(file)) continue;
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8'));
        out.push({ name: pkg.name, dir: `${group}/${d}`, short: d, hasTest: Boolean(pkg.scripts?.test) });
      } catch {
        /* skip */
      }
    }
  }
  return out;
}

/** Split argv into Nx options and Jest arguments; bare words name projects. */
function parseArgs(argv) {
  const sep = argv.indexOf('--');
  const mine = sep >= 0 ? argv.slice(0, sep) : argv;
  const jestArgs = sep >= 0 ? argv.slice(sep + 1) : [];
  const projects = workspaceProjects();
  const nxArgs = [];
  const picked = [];
  for (const a of mine) {
    if (a.startsWith('-')) {
      nxArgs.push(a);
      continue;
    }
    const p = projects.find(
      (x) => x.name === a || x.name === `@switchboard/${a}` || x.short === a || x.dir === a.replace(/\/$/, ''),
    );
    if (!p) {
      console.error(`unknown project "${a}"; known: ${projects.map((x) => x.name).join(', ')}`);
      process.exit(2);
    }
    picked.push(p.name);
  }
  if (picked.length) nxArgs.push(`--projects=${picked.join(',')}`);
  return { nxArgs, jestArgs };
}

function readResults() {
  const results = [];
  if (!existsSync(RESULTS_DIR)) return results;
  for (const f of readdirSync(RESULTS_DIR)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    try {
      results.push(JSON.parse(readFileSync(path.join(RESULTS_DIR, f), 'utf8')));
    } catch (err) {
      results.push({ project: f.replace(/\.json$/, ''), unreadable: err.message });
    }
  }
  return results;
}

function failedTasksFrom(output) {
  // Nx prints "Failed tasks:" followed by "- <project>:test" lines.
  const idx = output.lastIndexOf('Failed tasks:');
  if (idx < 0) return [];
  const names = [];
  for (const line of output.slice(idx).split('\n').slice(1)) {
    const m = line.replace(/\x1b\[[0-9;]*m/g, '').match(/^\s*-\s+(\S+):test\b/);
    if (m) names.push(m[1]);
    else if (names.length && line.trim() === '') break;
  }
  return names;
}

function summarize(results, failedTasks, nxCode, timedOut) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const rows = [];
  const failures = [];
  const seen = new Set();
  for (const r of results) {
    seen.add(r.project);
    if (r.unreadable) {
      failed += 1;
      rows.push([r.project, 0, 1, 0, 'unreadable results']);
      continue;
    }
    const p = r.numPassedTests ?? 0;
    let f = r.numFailedTests ?? 0;
    const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    const notes = [];
    // A suite that failed to run (syntax error, failing beforeAll with no test) counts as a failure.
    for (const suite of r.testResults ?? []) {
      const bad = (suite.assertionResults ?? []).filter((a) => a.status === 'failed');
      for (const a of bad)
        failures.push(
          `${r.project}: ${path.relative(ROOT, suite.name)} › ${[...(a.ancestorTitles ?? []), a.title].join(' › ')}`,
        );
      if (suite.status === 'failed' && bad.length === 0) {
        f += 1;
        notes.push('suite error');
        const msg =
          (suite.message || '')
            .replace(/\x1b\[[0-9;]*m/g, '')
            .split('\n')
            .map((l) => l.trim())
            .find((l) => l && !l.startsWith('●')) ?? '';
        failures.push(`${r.project}: ${path.relative(ROOT, suite.name)} failed to run: ${msg.trim().slice(0, 200)}`);
      }
    }
    passed += p;
    failed += f;
    skipped += s;
    rows.push([r.project, p, f, s, notes.join(', ')]);
  }
  for (const t of failedTasks) {
    if (seen.has(t)) continue;
    failed += 1;
    rows.push([t, 0, 1, 0, 'test task failed before Jest reported (see its output above)']);
    failures.push(`${t}: the test task failed without Jest results`);
  }
  if (timedOut) {
    failed += 1;
    failures.push(`the run was stopped after SB_TEST_TIMEOUT_MS`);
  } else if (nxCode !== 0 && failed === 0) {
    failed += 1;
    failures.push(`nx exited with code ${nxCode} without a failed test (see its output above)`);
  }

  console.log('');
  console.log(bold('Test summary'));
  const w = Math.max(8, ...rows.map((r) => r[0].length));
  console.log(
    dim(`  ${'project'.padEnd(w)}  ${'passed'.padStart(6)}  ${'failed'.padStart(6)}  ${'skipped'.padStart(7)}`),
  );
  for (const [name, p, f, s, note] of rows) {
    const line = `  ${name.padEnd(w)}  ${String(p).padStart(6)}  ${String(f).padStart(6)}  ${String(s).padStart(7)}${note ? '  ' + note : ''}`;
    console.log(f ? red(line) : line);
  }
  if (!rows.length) console.log(yellow('  no project reported any result'));
  if (failures.length) {
    console.log('');
    console.log(red(bold('Failures')));
    for (const f of failures.slice(0, 200)) console.log(red(`  ✕ ${f}`));
    if (failures.length > 200) console.log(red(`  ... and ${failures.length - 200} more`));
  }
  if (passed + failed === 0) console.log(yellow('\nNo test ran.'));
  console.log('');
  return { passed, failed, skipped };
}

async function cleanup() {
  if (nx?.pid && nx.exitCode === null) await stopTree(nx, { signal: 'SIGTERM', timeoutMs: 10_000 });
  if (infra) await infra.stop();
  else if (infraModule) await infraModule.abortInfra();
}

async function main() {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const { nxArgs, jestArgs } = parseArgs(process.argv.slice(2));
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ]) {
    process.on(sig, async () => {
      if (stopping) {
        if (nx?.pid) signalTree(nx.pid, 'SIGKILL');
        return;
      }
      stopping = true;
      say(`${sig}: stopping`);
      await cleanup();
      process.exit(code);
    });
  }

  // `npm test` killed with SIGTERM kills npm's shell, not us: notice the orphaning and stop.
  const parentPid = process.ppid;
  setInterval(() => {
    if (!stopping && parentPid > 1 && process.ppid !== parentPid) process.emit('SIGTERM', 'SIGTERM');
  }, 1000).unref();

  ensureDependencies(ROOT, say);
  infraModule = await import('./infra.mjs');
  try {
    infra = await infraModule.ensureInfra({ log: (m) => say(m) });
  } catch (err) {
    if (stopping) return;
    console.error(red(`${tag} ${err.message}`));
    process.exit(1);
  }
  if (stopping) return;

  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(RESULTS_DIR, { recursive: true });

  const require = createRequire(path.join(ROOT, 'package.json'));
  const nxBin = path.join(path.dirname(require.resolve('nx/package.json')), require('nx/package.json').bin.nx);
  const defaults = ['--skip-nx-cache', '--output-style=static', '--parallel=1'].filter(
    (d) => !nxArgs.some((a) => a.split('=')[0] === d.split('=')[0]),
  );
  const jestDefaults = ['--reporters=default', `--reporters=${REPORTER}`];
  if (!jestArgs.some((a) => a.startsWith('--forceExit'))) jestDefaults.push('--forceExit');
  // Nx hands the arguments after `--` to the project's `test` script through a shell: quote the
  // ones a shell would split or read (`-t "falls back"`, `a|b`).
  const forShell = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const args = [
    nxBin,
    'run-many',
    '-t',
    'test',
    ...defaults,
    ...nxArgs,
    '--',
    ...jestDefaults,
    ...jestArgs.map(forShell),
  ];
  say(`nx ${args.slice(1).join(' ')}`);

  const env = {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NATS_URL: infra.natsUrl,
    DATABASE_URL: infra.databaseUrl,
    JEST_RESULTS_DIR: RESULTS_DIR,
  };
  let output = '';
  const keep = (chunk) => {
    output += chunk.toString('utf8');
    if (output.length > 400_000) output = output.slice(-200_000);
  };
  const limit = Number(process.env.SB_TEST_TIMEOUT_MS || (process.env.CI === 'true' ? 80 * 60_000 : 0));
  let timedOut = false;
  const code = await new Promise((resolve) => {
    nx = spawn(process.execPath, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    nx.stdout.on('data', (c) => {
      process.stdout.write(c);
      keep(c);
    });
    nx.stderr.on('data', (c) => {
      process.stderr.write(c);
      keep(c);
    });
    const timer =
      limit > 0
        ? setTimeout(() => {
            timedOut = true;
            say(red(`still running after ${Math.round(limit / 60_000)} min: stopping the test run`));
            void stopTree(nx, { signal: 'SIGTERM', timeoutMs: 10_000 });
          }, limit)
        : null;
    nx.on('error', (err) => {
      say(red(`cannot run nx: ${err.message}`));
      resolve(1);
    });
    nx.on('exit', (c, sig) => {
      if (timer) clearTimeout(timer);
      resolve(c ?? (sig ? 1 : 0));
    });
  });
  // Anything a test left running in nx's process group (a server, a child process) goes too.
  signalTree(nx.pid, 'SIGKILL');
  if (stopping) return;

  const { passed, failed, skipped } = summarize(readResults(), failedTasksFrom(output), code, timedOut);
  await infra.stop();
  const line = `tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
  console.log(line); // plain, alone on the last line: CI reads it
  process.exit(failed > 0 || code !== 0 || passed === 0 ? 1 : 0);
}

main().catch(async (err) => {
  console.error(err);
  await cleanup().catch(() => undefined);
  process.exit(1);
});
