import type { Logger } from '@switchboard/telemetry';
import type { AttemptsRepository, FinishedAttempt } from './attempts.repository';

interface Pending {
  attempt: FinishedAttempt;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Records each provider call as soon as it returns, so that a crash can only repeat the calls
 * still in flight (made, not yet recorded), never the finished calls of a batch. Calls that
 * finish while a write is under way are written together by the next one (group commit), so the
 * cost stays near one statement per batch. A write that fails (PostgreSQL restarting) is retried
 * for up to `retryForMs` instead of failing the batch: a redelivery could not tell those calls
 * were made, and would make them again once their claims expire.
 */
export class AttemptRecorder {
  private queue: Pending[] = [];
  private writing = false;

  constructor(
    private readonly repository: AttemptsRepository,
    private readonly logger: Logger,
    private readonly retryForMs = 60_000,
  ) {}

  record(attempt: FinishedAttempt): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ attempt, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.write(batch.map((p) => p.attempt));
          for (const p of batch) p.resolve();
        } catch (error) {
          for (const p of batch) p.reject(error as Error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async write(attempts: FinishedAttempt[]): Promise<void> {
    const deadline = Date.now() + this.retryForMs;
    for (let delay = 200; ; delay = Math.min(delay * 2, 2_000)) {
      try {
        return await this.repository.finish(attempts);
      } catch (error) {
        if (Date.now() + delay > deadline) throw error;
        this.logger.warn({ err: error, calls: attempts.length, delayMs: delay }, 'attempts not recorded yet; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
