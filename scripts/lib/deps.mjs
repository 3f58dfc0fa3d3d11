// Installs the npm dependencies when node_modules is missing (a fresh clone) or older than
// package-lock.json (a pull that added or changed one). Node built-ins only.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm ci` (or `npm install` when there is no lock file, or when `npm ci` refuses a lock file that
 * is out of sync with package.json). Exits the process when installing fails.
 */
export function ensureDependencies(root, log = console.log) {
  if (dependenciesCurrent(root)) return false;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = (args) => {
    log(`installing dependencies: npm ${args.join(' ')}`);
    return spawnSync(npm, args, { cwd: root, stdio: 'inherit' }).status === 0;
  };
  const flags = ['--no-audit', '--no-fund'];
  const hasLock = existsSync(path.join(root, 'package-lock.json'));
  if (hasLock && run(['ci', ...flags])) return true;
  if (hasLock) log('npm ci failed (is package-lock.json out of sync with package.json?); trying npm install');
  if (!run(['install', ...flags])) {
    console.error('installing dependencies failed; fix the error above and try again');
    process.exit(1);
  }
  return true;
}

/**
 * node_modules is there and was installed from the lock file as it is now: npm rewrites
 * node_modules/.package-lock.json on every install, so a package-lock.json changed since (a pull
 * that added a dependency) is newer than it.
 */
export function dependenciesCurrent(root) {
  const nm = path.join(root, 'node_modules');
  const installed = path.join(nm, '.package-lock.json');
  if (!existsSync(installed) || !existsSync(path.join(nm, '@swc-node', 'register'))) return false;
  const lock = path.join(root, 'package-lock.json');
  return !existsSync(lock) || statSync(lock).mtimeMs <= statSync(installed).mtimeMs;
}
