import { Injectable } from '@nestjs/common';
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
  ) {}

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
      await this.repo.rebuildDeliveries(m, [...new Set(newEvents.map((e) => e.sendId))].sort());
      return this.repo.fanOut(m, newEvents);
    });
    this.webhooks.notify(notified);
  }
}
