import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The deliveries of a broadcast shipment: its page of the log, and its figures. */
export class ShipmentIndex1795400000000 implements MigrationInterface {
  name = 'ShipmentIndex1795400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE INDEX deliveries_shipment_idx ON tracker.deliveries (shipment_id, created_at, id) WHERE shipment_id IS NOT NULL',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX tracker.deliveries_shipment_idx');
  }
}
