import type { FactoryProvider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LOGGER, type Logger } from '@switchboard/telemetry';

/** One chunk's DELETE, counted. */
interface DeletedRow {
  n: number;
}

/** Rows of `table` whose `column` (a timestamptz) is older than `olderThanMs` are no longer needed. */
export interface PruneRule {
  table: string;
  column: string;
  olderThanMs: number;
}

export interface PrunerOptions {
  intervalMs?: number;
  /** Rows per DELETE: short locks and bounded WAL per statement. */
  chunk?: number;
  onError?: (error: unknown) => void;
}

/**
 * Deletes what a service no longer needs, a chunk at a time, every `intervalMs` (hourly, from the
 * application's bootstrap to its shutdown) and on demand. Idempotent, so every instance of a
 * service may run it.
 */
export class Pruner {
  private timer?: NodeJS.Timeout;
  private running?: Promise<Record<string, number>>;
  private readonly intervalMs: number;
  private readonly chunk: number;

  constructor(
    private readonly ds: DataSource,
    private readonly rules: PruneRule[],
    private readonly options: PrunerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 3_600_000;
    this.chunk = options.chunk ?? 10_000;
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  start(): void {
    this.timer ??= setInterval(
      () => void this.prune().catch((error: unknown) => this.options.onError?.(error)),
      this.intervalMs,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Rows deleted per table; a run already under way is joined, not doubled. */
  prune(): Promise<Record<string, number>> {
    this.running ??= this.pruneAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pruneAll(): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    for (const { table, column, olderThanMs } of this.rules) {
      const sql = `WITH gone AS (
          DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
            SELECT ctid FROM ${table} WHERE ${column} < now() - make_interval(secs => $1 / 1000.0) LIMIT ${this.chunk}))
          RETURNING 1)
        SELECT count(*)::int AS n FROM gone`;
      deleted[table] = 0;
      for (;;) {
        const [{ n }] = await this.ds.query<DeletedRow[]>(sql, [olderThanMs]);
        deleted[table] += n;
        if (n < this.chunk) break;
      }
    }
    return deleted;
  }
}

/** The service's Pruner (inject `Pruner`) over its DataSource, logging failed runs. */
export function prunerProvider(
  rules: PruneRule[],
  options: Omit<PrunerOptions, 'onError'> = {},
): FactoryProvider<Pruner> {
  return {
    provide: Pruner,
    useFactory: (ds: DataSource, logger: Logger) =>
      new Pruner(ds, rules, {
        ...options,
        onError: (err) => logger.warn({ err }, 'retention pruning failed; retrying at the next interval'),
      }),
    inject: [DataSource, LOGGER],
  };
}
