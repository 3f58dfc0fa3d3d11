import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CanceledShipments1767225600200 implements MigrationInterface {
  name = 'CanceledShipments1767225600200';

  async up(q: QueryRunner): Promise<void> {
    // Broadcast shipments canceled in campaign-actions: their sends not routed yet end failed/canceled.
    await q.query(`
      CREATE TABLE router.canceled_shipments (
        shipment_id text PRIMARY KEY,
        canceled_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE router.canceled_shipments');
  }
}
