import { Injectable } from '@nestjs/common';
import type { SendRequested } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import type { RoutePlan } from '../routing/route-plan';
import { execute } from '@switchboard/persistence';

/**
 * router.canceled_shipments: the shipments whose sends must not be routed any more (DESIGN §7.4
 * cancel). Every instance reads the table, so the one that consumed the cancel need not be the one
 * routing; a batch without shipment ids costs nothing, one with them one index lookup.
 */
interface ShipmentIdRow {
  shipment_id: string;
}

@Injectable()
export class CanceledShipmentsRepository {
  constructor(private readonly ds: DataSource) {}

  async add(shipmentIds: string[], canceledAt: string): Promise<void> {
    await execute(
      this.ds,
      `INSERT INTO router.canceled_shipments (shipment_id, canceled_at)
       SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`,
      [shipmentIds, canceledAt],
    );
  }

  /** Settles, in place, the plans of requests whose shipment was canceled: `failed`, reason `canceled`. */
  async settle(requests: SendRequested[], plans: RoutePlan[]): Promise<void> {
    const ids = [...new Set(requests.flatMap((r) => (r.shipmentId ? [r.shipmentId] : [])))];
    if (ids.length === 0) return;
    const rows = await this.ds.query<ShipmentIdRow[]>(
      'SELECT shipment_id FROM router.canceled_shipments WHERE shipment_id = ANY($1::text[])',
      [ids],
    );
    if (rows.length === 0) return;
    const canceled = new Set(rows.map((r) => r.shipment_id));
    requests.forEach((req, i) => {
      if (req.shipmentId && canceled.has(req.shipmentId))
        plans[i] = { kind: 'settled', reason: 'canceled', candidates: [], skipped: [] };
    });
  }
}
