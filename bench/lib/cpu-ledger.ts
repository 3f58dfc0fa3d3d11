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
  private started?: Map<number, { name: string; ms: number }>;

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
    this.started = await this.snapshot();
  }

  async stop(): Promise<void> {
    const now = await this.snapshot();
    for (const [pid, { name, ms }] of now) {
      const before = this.started?.get(pid)?.ms ?? 0;
      this.spent.set(name, (this.spent.get(name) ?? 0) + ms - before);
    }
    this.started = undefined;
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

function natsServerPids(): number[] {
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
