import { Injectable } from '@nestjs/common';
import type { Channel, StatFigures, Stats } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { zeroFigures } from './stats.repository';

type FigureRow = { shipment_id: string; date: string; channel: string | null } & Record<keyof StatFigures, string>;

/**
 * A shipment sends to each contact once, so its figures are counts over its rows of the deliveries
 * log (one per send, through deliveries_shipment_idx) rather than counters: every figure is
 * distinct by construction, and per channel they add up to the total. `shipments` is 1 on every
 * row that has a send.
 */
const FIGURES = `
  count(*) FILTER (WHERE d.sent_at IS NOT NULL) AS reach,
  count(*) AS shipments,
  count(*) FILTER (WHERE d.sent_at IS NOT NULL) AS sent,
  count(*) FILTER (WHERE d.delivered_at IS NOT NULL) AS delivered,
  count(*) FILTER (WHERE d.status = 'failed') AS failed,
  count(*) FILTER (WHERE d.bounced_at IS NOT NULL) AS bounced,
  coalesce(sum(d.opens), 0) AS opened,
  count(*) FILTER (WHERE d.opened_at IS NOT NULL) AS "uniqueOpened",
  coalesce(sum(d.clicks), 0) AS clicked,
  count(*) FILTER (WHERE d.clicked_at IS NOT NULL) AS "uniqueClicked",
  count(*) FILTER (WHERE d.unsubscribed_at IS NOT NULL) AS unsubscribed,
  count(*) FILTER (WHERE d.complained_at IS NOT NULL) AS complained,
  count(*) FILTER (WHERE d.deferrals > 0) AS deferred,
  count(*) FILTER (WHERE d.status = 'suppressed') AS suppressed`;

const NAMES: (keyof StatFigures)[] = [
  'reach',
  'shipments',
  'sent',
  'delivered',
  'failed',
  'bounced',
  'opened',
  'uniqueOpened',
  'clicked',
  'uniqueClicked',
  'unsubscribed',
  'complained',
  'deferred',
  'suppressed',
];

@Injectable()
export class ShipmentStatsRepository {
  constructor(private readonly ds: DataSource) {}

  async stats(shipmentIds: string[]): Promise<(Stats & { shipmentId: string })[]> {
    const rows = await this.ds.query<FigureRow[]>(
      `SELECT d.shipment_id, to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date, d.channel, ${FIGURES}
       FROM tracker.deliveries d WHERE d.shipment_id = ANY($1::text[])
       GROUP BY 1, 2, 3 ORDER BY 2, 3`,
      [shipmentIds],
    );
    const byId = new Map<string, Stats & { shipmentId: string }>(
      shipmentIds.map((id) => [
        id,
        { shipmentId: id, messageId: null, campaignId: null, total: zeroFigures(), channels: {}, daily: [] },
      ]),
    );
    for (const row of rows) {
      const stats = byId.get(row.shipment_id)!;
      const figures = Object.fromEntries(NAMES.map((f) => [f, Number(row[f])])) as StatFigures;
      const channel = (row.channel || null) as Channel | null;
      for (const f of NAMES) stats.total[f] += figures[f];
      if (channel) {
        const into = (stats.channels[channel] ??= zeroFigures());
        for (const f of NAMES) into[f] += figures[f];
      }
      stats.daily.push({ date: row.date, channel, ...figures });
    }
    // A shipment is one, whatever its days and channels.
    for (const stats of byId.values()) {
      stats.total.shipments = Math.min(stats.total.shipments, 1);
      for (const c of Object.values(stats.channels)) c.shipments = Math.min(c.shipments, 1);
      for (const d of stats.daily) d.shipments = Math.min(d.shipments, 1);
    }
    return [...byId.values()];
  }
}
