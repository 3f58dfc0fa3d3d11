// Child-process helpers shared by the start, test and infra scripts. Node built-ins only.
//
// Every long-lived child is spawned detached (its own process group), so that a Ctrl-C reaches
// only the supervising script, which then stops its children in order; signals go to the whole
// group so grandchildren (postgres backends, a shell's children) go too. Pids are recorded in
// .data/run/<name>.json so that a later run can stop what a killed (SIGKILL) run left behind.
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  unlinkSync,
  openSync,
  statSync,
  readSync,
  closeSync,
} from 'node:fs';
import path from 'node:path';

export function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** The command line of a live process ('' when unknown: not Linux, or gone). */
export function cmdlineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Send a signal to a child's process group (falls back to the pid alone). */
export function signalTree(pid, signal) {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
    return;
  } catch {
    /* not a group leader, or gone */
  }
  try {
    process.kill(pid, signal);
  } catch {
    /* gone */
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Stop a child (ChildProcess or pid): `signal` to its process group, then SIGKILL after
 * `timeoutMs`. Resolves once the process and its group are gone (or 5 s after the SIGKILL).
 */
export async function stopTree(child, { signal = 'SIGTERM', timeoutMs = 10_000, onKill } = {}) {
  const pid = typeof child === 'number' ? child : child?.pid;
  if (!pid) return;
  const alive = () => isAlive(pid) || groupAlive(pid);
  if (!alive()) return;
  signalTree(pid, signal);
  if (await waitUntil(() => !alive(), timeoutMs)) return;
  onKill?.(pid);
  signalTree(pid, 'SIGKILL');
  await waitUntil(() => !alive(), 5000);
}

export async function waitUntil(predicate, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A small JSON registry of the processes one script started: { owner, procs: [{name, pid, match}] }.
 * `match` is a substring of the process's command line, checked before a leftover is killed, so
 * a recycled pid is never hit.
 */
export class PidRegistry {
  constructor(dir, prefix) {
    this.file = path.join(dir, `${prefix}-${process.pid}.json`);
    this.procs = [];
  }

  add(name, pid, match, signal) {
    this.procs.push({ name, pid, match, signal });
    this.#write();
  }

  remove(pid) {
    this.procs = this.procs.filter((p) => p.pid !== pid);
    this.#write();
  }

  clear() {
    this.procs = [];
    try {
      unlinkSync(this.file);
    } catch {
      /* gone */
    }
  }

  #write() {
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify({ owner: process.pid, procs: this.procs }, null, 2) + '\n');
  }

  /**
   * Stop what earlier runs recorded in `<dir>/<prefix>-<pid>.json` when their owner is dead (it
   * was killed before it could clean up). Files of live owners are left alone.
   */
  static async reapStale(dir, prefix, log = () => {}) {
    let files = [];
    try {
      files = readdirSync(dir).filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.json'));
    } catch {
      return;
    }
    for (const f of files) {
      const file = path.join(dir, f);
      let data;
      try {
        data = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        data = { procs: [] };
      }
      if (data.owner === process.pid) continue;
      if (data.owner && isAlive(data.owner) && cmdlineOf(data.owner).includes('node')) continue;
      for (const p of data.procs ?? []) {
        if (!isAlive(p.pid)) continue;
        const cmd = cmdlineOf(p.pid);
        if (p.match && cmd && !cmd.includes(p.match)) continue;
        log(`stopping ${p.name} (pid ${p.pid}) left behind by an earlier run`);
        await stopTree(p.pid, { signal: p.signal ?? 'SIGTERM', timeoutMs: 10_000 });
      }
      try {
        unlinkSync(file);
      } catch {
        /* gone */
      }
    }
  }
}

/** Last `bytes` of a file as text (for error messages about a child that died). */
export function tailFile(file, bytes = 3000) {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, 'r');
    const len = Math.min(bytes, size);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    closeSync(fd);
    return buf.toString('utf8');
  } catch {
    return '';
  }
}

/** Find an executable on PATH (plus the sbin dirs a non-login root shell may miss). */
export function which(
  cmd,
  extraDirs = ['/usr/sbin', '/usr/local/sbin', '/sbin', '/opt/homebrew/bin', '/usr/local/bin'],
) {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs].filter(Boolean);
  for (const d of dirs) {
    const f = path.join(d, cmd);
    try {
      if (statSync(f).isFile()) return f;
    } catch {
      /* next */
    }
  }
  return null;
}

// ---- log prefixing ---------------------------------------------------------------------------

const COLORS = [36, 32, 33, 35, 34, 96, 92, 93, 95, 94, 91, 37];
export const useColor =
  !process.env.NO_COLOR && (process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : process.stdout.isTTY);

export function colorFor(index) {
  return COLORS[index % COLORS.length];
}

export function paint(text, code) {
  return useColor ? `\x1b[${code}m${text}\x1b[0m` : text;
}

export const bold = (t) => paint(t, 1);
export const dim = (t) => paint(t, 2);
export const red = (t) => paint(t, 31);
export const green = (t) => paint(t, 32);
export const yellow = (t) => paint(t, 33);

const LEVELS = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const LEVEL_COLORS = { trace: 90, debug: 90, info: 32, warn: 33, error: 31, fatal: 31 };
const SKIP_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'message', 'v', 'service', 'name']);

/**
 * Render one pino JSON line compactly (`info  message  key=value ...`); any other line unchanged.
 * SB_LOG_RAW=true keeps every line as the service wrote it.
 */
export function prettyLine(line) {
  if (process.env.SB_LOG_RAW === 'true' || line[0] !== '{') return line;
  let obj;
  try {
    obj = JSON.parse(line);
  } catch {
    return line;
  }
  if (obj === null || typeof obj !== 'object' || (!('msg' in obj) && !('level' in obj))) return line;
  const level = typeof obj.level === 'number' ? (LEVELS[obj.level] ?? String(obj.level)) : String(obj.level ?? 'info');
  const rest = [];
  for (const [k, v] of Object.entries(obj)) {
    if (SKIP_KEYS.has(k)) continue;
    if (k === 'err' && v && typeof v === 'object') {
      rest.push(`err=${JSON.stringify(v.message ?? v)}`);
      if (v.stack) rest.push(`\n${v.stack}`);
      continue;
    }
    rest.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  const lvl = paint(level.padEnd(5), LEVEL_COLORS[level] ?? 0);
  return `${lvl} ${obj.msg ?? obj.message ?? ''}${rest.length ? ' ' + dim(rest.join(' ')) : ''}`;
}
