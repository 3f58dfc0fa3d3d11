// One supervised child process: started detached (its own process group), its output appended to a
// log file, restarted whenever it exits while it should be running — after `restartDelayMs`, doubled
// after each exit up to `maxRestartDelayMs`, and back to `restartDelayMs` once a run lasted
// `stableAfterMs`. Every exit is recorded with whether it was asked for (kill) or not, so a harness
// can tell a crash it caused from one it did not. `npm start` (scripts/start.mjs) and the chaos
// harness (scripts/lib/chaos) both supervise through it. Node built-ins only.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { signalTree, sleep, stopTree } from './procs.mjs';

export class Supervised {
  /**
   * options: { name, command (default: this node), args, env, cwd, logFile, registry (a PidRegistry),
   * restartDelayMs (1000), maxRestartDelayMs (= restartDelayMs: a fixed delay), stableAfterMs (60 s),
   * onLine(line), onError(err), onRestart({ code, signal, upMs, delayMs, restarts }) (an exit
   * nobody asked for, before the restart), onKill() (SIGKILL after the stop timeout) }
   */
  constructor(options) {
    this.name = options.name;
    this.options = { command: process.execPath, restartDelayMs: 1_000, stableAfterMs: 60_000, ...options };
    this.options.maxRestartDelayMs ??= this.options.restartDelayMs;
    this.child = null;
    this.timer = null;
    this.running = false;
    this.expectExit = false;
    /** [{ at, code, signal, expected }] */
    this.exits = [];
    this.starts = 0;
    this.startedAt = 0;
    this.delayMs = this.options.restartDelayMs;
    mkdirSync(path.dirname(options.logFile), { recursive: true });
    this.log = createWriteStream(options.logFile, { flags: 'a' });
  }

  get pid() {
    return this.child?.pid ?? null;
  }

  /** Exits nobody asked for. */
  get crashes() {
    return this.exits.filter((e) => !e.expected).length;
  }

  start() {
    this.running = true;
    this.timer = null;
    this.starts += 1;
    this.startedAt = Date.now();
    this.log.write(`---- ${new Date().toISOString()} start #${this.starts} ----\n`);
    const { command, args, env, cwd, registry, onLine, onError, onRestart } = this.options;
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    registry?.add(this.name, child.pid, args.at(-1) ?? command);
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        this.log.write(line + '\n');
        onLine?.(line);
      });
    }
    child.on('error', (err) => {
      this.log.write(`cannot start: ${err.message}\n`);
      onError?.(err);
    });
    child.on('exit', (code, signal) => {
      registry?.remove(child.pid);
      // Grandchildren that outlived it go with it.
      signalTree(child.pid, 'SIGKILL');
      const expected = this.expectExit;
      this.exits.push({ at: Date.now(), code, signal, expected });
      this.log.write(`---- ${new Date().toISOString()} exited (${signal ?? `code ${code}`}) ----\n`);
      this.expectExit = false;
      if (this.child === child) this.child = null;
      if (!this.running) return;
      const upMs = Date.now() - this.startedAt;
      if (upMs >= this.options.stableAfterMs) this.delayMs = this.options.restartDelayMs;
      const delayMs = this.delayMs;
      this.delayMs = Math.min(this.delayMs * 2, this.options.maxRestartDelayMs);
      if (!expected) onRestart?.({ code, signal, upMs, delayMs, restarts: this.starts });
      this.timer = setTimeout(() => this.start(), delayMs);
    });
  }

  /** Signals the process group (SIGKILL: a crash) and lets the supervision restart it. Resolves once it is gone. */
  async kill(signal = 'SIGKILL') {
    const child = this.child;
    if (!child) return;
    this.expectExit = true;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    signalTree(child.pid, signal);
    await Promise.race([gone, sleep(15_000)]);
  }

  /** Stops it for good: SIGTERM, SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 10_000) {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const child = this.child;
    if (child) {
      this.expectExit = true;
      await stopTree(child, { signal: 'SIGTERM', timeoutMs, onKill: this.options.onKill });
    }
    await new Promise((resolve) => this.log.end(resolve));
  }
}
