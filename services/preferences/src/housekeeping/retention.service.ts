import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { returnedRows } from '../contacts/contacts.repository';

const INTERVAL_MS = 3_600_000;
const CHUNK = 10_000;

/**
 * Drops what no rule can need any more: decisions (with their reservations) older than the longest
 * window (30 days) and past any redelivery, and processed event keys. 31 days leaves a day of margin.
 * Idempotent, so every instance may run it.
 */
const PRUNE = [
  `DELETE FROM preferences.decisions WHERE ctid = ANY(ARRAY(
     SELECT ctid FROM preferences.decisions WHERE decided_at < now() - interval '31 days' LIMIT ${CHUNK})) RETURNING 1`,
  `DELETE FROM preferences.processed_events WHERE ctid = ANY(ARRAY(
     SELECT ctid FROM preferences.processed_events WHERE processed_at < now() - interval '31 days' LIMIT ${CHUNK})) RETURNING 1`,
];

@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly ds: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.prune(), INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  prune(): Promise<void> {
    this.running ??= (async () => {
      try {
        for (const statement of PRUNE) {
          while (returnedRows(await this.ds.query(statement)).length === CHUNK);
        }
      } catch (error) {
        this.logger.warn({ err: error }, 'retention pruning failed; retrying at the next interval');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
