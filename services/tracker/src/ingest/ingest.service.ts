import { Inject, Injectable } from '@nestjs/common';
import { Outcomes, type Outcome } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { DataSource } from 'typeorm';
import { WebhookSignal } from '../webhooks/webhook-signal';
import { counterDeltas, firstCandidates } from './counters';
import { IngestRepository } from './ingest.repository';
import type { TrackedEvent } from './tracked-event';

/**
 * Records a batch of routing outcomes and delivery events in one transaction: the events not seen
 * before, the firsts and counters they make, the deliveries rows of their sends, and the webhook
 * deliveries they trigger. A batch of events already recorded changes nothing.
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: IngestRepository,
    private readonly webhooks: WebhookSignal,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * A consumer batch: in one transaction, or (when that fails) event by event, so that one event
   * the database rejects is retried and dead-lettered alone instead of taking its batch with it.
   */
  async ingestBatch(batch: TrackedEvent[]): Promise<Outcome[]> {
    try {
      await this.ingest(batch);
      return batch.map(() => Outcomes.done());
    } catch (error) {
      if (batch.length === 1) throw error;
      this.logger.warn({ err: error, events: batch.length }, 'batch failed; recording its events one by one');
    }
    const outcomes: Outcome[] = [];
    for (const event of batch) {
      try {
        await this.ingest([event]);
        outcomes.push(Outcomes.done());
      } catch (error) {
        outcomes.push(Outcomes.retry(1_000, (error as Error).message));
      }
    }
    return outcomes;
  }

  async ingest(batch: TrackedEvent[]): Promise<void> {
    const events = [...new Map(batch.map((e) => [e.key, e])).values()];
    if (events.length === 0) return;
    const notified = await this.ds.transaction(async (m) => {
      await this.repo.lock(
        m,
        events.map((e) => e.sendId),
        events.map((e) => e.contactId),
      );
      const fresh = await this.repo.insertEvents(m, events);
      const newEvents = events.filter((e) => fresh.has(e.key));
      if (newEvents.length === 0) return [];
      const newFirsts = await this.repo.insertFirsts(m, firstCandidates(newEvents));
      await this.repo.addCounters(m, counterDeltas(newEvents, newFirsts));
      const sendIds = [...new Set(newEvents.map((e) => e.sendId))].sort();
      await this.repo.rebuildDeliveries(m, sendIds);
      await this.repo.raiseNewestSends(m, sendIds);
      return this.repo.fanOut(m, newEvents);
    });
    this.webhooks.notify(notified);
  }
}
