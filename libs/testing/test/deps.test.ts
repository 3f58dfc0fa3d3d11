import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../src';

/** scripts/lib/deps.mjs is an ES module of the start and test scripts: asked through node itself. */
function dependenciesCurrent(root: string): boolean {
  const deps = path.join(REPO_ROOT, 'scripts/lib/deps.mjs');
  const { stdout, status, stderr } = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { dependenciesCurrent } = await import(${JSON.stringify(deps)}); process.stdout.write(String(dependenciesCurrent(process.argv[1])));`,
      root,
    ],
    { encoding: 'utf8' },
  );
  if (status !== 0) throw new Error(stderr);
  return stdout === 'true';
}

describe('npm start and npm test install dependencies when', () => {
  let root: string;
  const at = (file: string, seconds: number) => utimesSync(path.join(root, file), seconds, seconds);

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'sb-deps-'));
    mkdirSync(path.join(root, 'node_modules/@swc-node/register'), { recursive: true });
    writeFileSync(path.join(root, 'package-lock.json'), '{}');
    writeFileSync(path.join(root, 'node_modules/.package-lock.json'), '{}');
    at('package-lock.json', 1_000);
    at('node_modules/.package-lock.json', 2_000);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('not when node_modules was installed from the lock file as it is', () => {
    expect(dependenciesCurrent(root)).toBe(true);
  });

  it('a pull changed package-lock.json after the install', () => {
    at('package-lock.json', 3_000);
    expect(dependenciesCurrent(root)).toBe(false);
  });

  it('node_modules is missing (a fresh clone)', () => {
    rmSync(path.join(root, 'node_modules'), { recursive: true });
    expect(dependenciesCurrent(root)).toBe(false);
  });

  it('an install was interrupted before the packages the scripts run with', () => {
    rmSync(path.join(root, 'node_modules/@swc-node'), { recursive: true });
    expect(dependenciesCurrent(root)).toBe(false);
  });
});
