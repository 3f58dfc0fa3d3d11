import { Injectable } from '@nestjs/common';
import type { DeliveryEvent } from '@switchboard/contracts';
import { DataSource } from 'typeorm';

export interface StoredDeliveryEvent {
  dispatchId: string;
  event: DeliveryEvent['event'];
  occurredAt: string;
  error: NonNullable<DeliveryEvent['error']> | null;
  url: string | null;
  provider: string | null;
}

/** router.delivery_events: what happened to each dispatch, idempotent on the event's key. */
@Injectable()
export class DeliveryEventsRepository {
  constructor(private readonly ds: DataSource) {}

  async insert(events: { key: string; event: DeliveryEvent }[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map(({ key, event: e }) => ({
      event_key: key,
      dispatch_id: e.dispatchId,
      send_id: e.sendId,
      channel: e.channel,
      event: e.event,
      occurred_at: e.occurredAt,
      error: e.error ?? null,
      url: e.url ?? null,
      provider: e.provider ?? null,
    }));
    await this.ds.query(
      `INSERT INTO router.delivery_events (event_key, dispatch_id, send_id, channel, event, occurred_at, error, url, provider)
       SELECT event_key, dispatch_id, send_id, channel, event, occurred_at, error, url, provider
       FROM jsonb_to_recordset($1::jsonb) AS x(event_key text, dispatch_id text, send_id text, channel text, event text,
         occurred_at timestamptz, error jsonb, url text, provider text)
       ON CONFLICT (event_key) DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }

  async findBySend(sendId: string): Promise<StoredDeliveryEvent[]> {
    const rows: {
      dispatch_id: string;
      event: DeliveryEvent['event'];
      occurred_at: Date;
      error: NonNullable<DeliveryEvent['error']> | null;
      url: string | null;
      provider: string | null;
    }[] = await this.ds.query(
      'SELECT dispatch_id, event, occurred_at, error, url, provider FROM router.delivery_events WHERE send_id = $1 ORDER BY occurred_at, received_at',
      [sendId],
    );
    return rows.map((r) => ({
      dispatchId: r.dispatch_id,
      event: r.event,
      occurredAt: r.occurred_at.toISOString(),
      error: r.error,
      url: r.url,
      provider: r.provider,
    }));
  }

  /**
   * Erasure: clicked URLs and provider error texts (which may quote an address) of these contacts'
   * sends go; the event kinds and error codes stay, so the decision record still reads.
   */
  async eraseContacts(contactIds: string[]): Promise<void> {
    await this.ds.query(
      `UPDATE router.delivery_events
          SET url = NULL, error = CASE WHEN error IS NULL THEN NULL ELSE jsonb_set(error, '{message}', '""') END
        WHERE send_id IN (SELECT send_id FROM router.decisions WHERE contact_id = ANY($1::text[]))`,
      [contactIds],
    );
  }
}
