// One supervised child process: started detached (its own process group), its output appended to a
// log file, restarted after `restartDelayMs` whenever it exits while it should be running. Every
// exit is recorded with whether it was asked for (kill) or not, so a harness can tell a crash it
// caused from one it did not. Node built-ins only.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { signalTree, sleep, stopTree } from './procs.mjs';

export class Supervised {
  /**
   * options: { name, command (default: this node), args, env, cwd, logFile, restartDelayMs (1000),
   * registry (a PidRegistry), onLine(line) }
   */
  constructor(options) {
    this.name = options.name;
    this.options = { command: process.execPath, restartDelayMs: 1_000, ...options };
    this.child = null;
    this.timer = null;
    this.running = false;
    this.expectExit = false;
    /** [{ at, code, signal, expected }] */
    this.exits = [];
    this.starts = 0;
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
    this.log.write(`---- ${new Date().toISOString()} start #${this.starts} ----\n`);
    const { command, args, env, cwd, registry, onLine } = this.options;
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    registry?.add(this.name, child.pid, args.at(-1) ?? command);
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        this.log.write(line + '\n');
        onLine?.(line);
      });
    }
    child.on('error', (err) => this.log.write(`cannot start: ${err.message}\n`));
    child.on('exit', (code, signal) => {
      registry?.remove(child.pid);
      // Grandchildren that outlived it go with it.
      signalTree(child.pid, 'SIGKILL');
      this.exits.push({ at: Date.now(), code, signal, expected: this.expectExit });
      this.log.write(`---- ${new Date().toISOString()} exited (${signal ?? `code ${code}`}) ----\n`);
      this.expectExit = false;
      if (this.child === child) this.child = null;
      if (this.running) this.timer = setTimeout(() => this.start(), this.options.restartDelayMs);
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
      await stopTree(child, { signal: 'SIGTERM', timeoutMs });
    }
    await new Promise((resolve) => this.log.end(resolve));
  }
}
