import { readdirSync, readFileSync } from 'node:fs';
import { Client } from 'pg';
import { cpuMs } from '@switchboard/testing';

/**
 * CPU spent by each process of a system between `start` and `stop`, grouped by name: the service
 * processes given, nats-server, and the run database's PostgreSQL backends by application name
 * (each service names its connections after its schema). Read beside a throughput figure, it says
 * where the time of one unit of work goes, which stays comparable when the machine's speed does not.
 */
export class CpuLedger {
  private readonly spent = new Map<string, number>();
  /** Per process since `start`: its name, CPU when first seen (0 for a backend born since) and when last seen. */
  private seen?: Map<number, { name: string; first: number; last: number }>;

  private constructor(
    private readonly db: Client,
    private readonly services: Record<string, number>,
  ) {}

  static async open(databaseUrl: string, services: Record<string, number>): Promise<CpuLedger> {
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    return new CpuLedger(db, services);
  }

  async start(): Promise<void> {
    this.seen = new Map();
    for (const [pid, { name, ms }] of await this.snapshot()) this.seen.set(pid, { name, first: ms, last: ms });
  }

  /**
   * Reads every process again. Pools close idle PostgreSQL connections and open new ones, and a
   * backend that ends between two readings takes its CPU with it: over a long run, sample every
   * few seconds so that at most the last interval of such a backend is lost.
   */
  async sample(): Promise<void> {
    if (!this.seen) return;
    for (const [pid, { name, ms }] of await this.snapshot()) {
      const known = this.seen.get(pid);
      if (known) known.last = ms;
      else this.seen.set(pid, { name, first: 0, last: ms });
    }
  }

  async stop(): Promise<void> {
    await this.sample();
    for (const { name, first, last } of this.seen?.values() ?? [])
      this.spent.set(name, (this.spent.get(name) ?? 0) + last - first);
    this.seen = undefined;
  }

  /** Microseconds of CPU per unit of work, by process name, over every start–stop so far. */
  perUnit(units: number): Record<string, number> {
    return Object.fromEntries(
      [...this.spent].sort((a, b) => b[1] - a[1]).map(([name, ms]) => [name, Math.round((ms * 1000) / units)]),
    );
  }

  /** Microseconds of CPU per unit of work summed over every process. */
  totalPerUnit(units: number): number {
    let ms = 0;
    for (const spent of this.spent.values()) ms += spent;
    return Math.round((ms * 1000) / units);
  }

  async close(): Promise<void> {
    await this.db.end();
  }

  private async snapshot(): Promise<Map<number, { name: string; ms: number }>> {
    const out = new Map<number, { name: string; ms: number }>();
    for (const [name, pid] of Object.entries(this.services)) out.set(pid, { name, ms: cpuMs(pid) });
    for (const pid of natsServerPids()) out.set(pid, { name: 'nats-server', ms: cpuMs(pid) });
    const { rows } = await this.db.query<{ pid: number; name: string }>(
      `SELECT pid, coalesce(nullif(application_name, ''), 'other') AS name FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    for (const { pid, name } of rows) out.set(pid, { name: `pg:${name}`, ms: cpuMs(pid) });
    return out;
  }
}

export function natsServerPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'nats-server';
      } catch {
        return false;
      }
    })
    .map(Number);
}
