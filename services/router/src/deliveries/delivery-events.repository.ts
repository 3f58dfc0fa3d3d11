import { Injectable } from '@nestjs/common';
import { isTargetRemoval, type DeliveryEvent } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { execute } from '@switchboard/persistence';

export interface StoredDeliveryEvent {
  dispatchId: string;
  event: DeliveryEvent['event'];
  occurredAt: string;
  error: NonNullable<DeliveryEvent['error']> | null;
  url: string | null;
  provider: string | null;
  /** The sender's count of calls made again after a crash (meta.resentAfterCrash); 0 when none. */
  resentAfterCrash: number;
  /** A bounce that only removed one dead push target (isTargetRemoval). */
  targetRemoved: boolean;
  /** The content variant sent (DESIGN §7.2), on `sent` and `failed`; null for the base content. */
  variant: string | null;
  dynamicContent: Record<string, string> | null;
}

/** A row of router.delivery_events as findBySend reads it. */
interface DeliveryEventRow {
  dispatch_id: string;
  event: DeliveryEvent['event'];
  occurred_at: Date;
  error: NonNullable<DeliveryEvent['error']> | null;
  url: string | null;
  provider: string | null;
  resent_after_crash: number | null;
  target_removed: boolean;
  variant: string | null;
  dynamic_content: Record<string, string> | null;
}

/** The count a sender puts on the event of a call it made again after a crash (libs/channel-sdk). */
function resentAfterCrash(e: DeliveryEvent): number | null {
  const n = e.meta?.resentAfterCrash;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
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
      resent_after_crash: resentAfterCrash(e),
      target_removed: isTargetRemoval(e),
      variant: e.variant ?? null,
      dynamic_content: e.dynamicContent ?? null,
    }));
    await execute(
      this.ds,
      `INSERT INTO router.delivery_events
         (event_key, dispatch_id, send_id, channel, event, occurred_at, error, url, provider, resent_after_crash,
          target_removed, variant, dynamic_content)
       SELECT event_key, dispatch_id, send_id, channel, event, occurred_at, error, url, provider, resent_after_crash,
              target_removed, variant, dynamic_content
       FROM jsonb_to_recordset($1::jsonb) AS x(event_key text, dispatch_id text, send_id text, channel text, event text,
         occurred_at timestamptz, error jsonb, url text, provider text, resent_after_crash integer, target_removed boolean,
         variant text, dynamic_content jsonb)
       ON CONFLICT (event_key) DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }

  async findBySend(sendId: string): Promise<StoredDeliveryEvent[]> {
    const rows = await this.ds.query<DeliveryEventRow[]>(
      `SELECT dispatch_id, event, occurred_at, error, url, provider, resent_after_crash, target_removed, variant,
              dynamic_content
         FROM router.delivery_events WHERE send_id = $1 ORDER BY occurred_at, received_at`,
      [sendId],
    );
    return rows.map((r) => ({
      dispatchId: r.dispatch_id,
      event: r.event,
      occurredAt: r.occurred_at.toISOString(),
      error: r.error,
      url: r.url,
      provider: r.provider,
      resentAfterCrash: r.resent_after_crash ?? 0,
      targetRemoved: r.target_removed,
      variant: r.variant,
      dynamicContent: r.dynamic_content,
    }));
  }

  /**
   * Erasure: clicked URLs and provider error texts (which may quote an address) of these contacts'
   * sends go; the event kinds and error codes stay, so the decision record still reads.
   */
  async eraseContacts(contactIds: string[]): Promise<void> {
    await execute(
      this.ds,
      `UPDATE router.delivery_events
          SET url = NULL, error = CASE WHEN error IS NULL THEN NULL ELSE jsonb_set(error, '{message}', '""') END
        WHERE send_id IN (SELECT send_id FROM router.decisions WHERE contact_id = ANY($1::text[]))`,
      [contactIds],
    );
  }
}
