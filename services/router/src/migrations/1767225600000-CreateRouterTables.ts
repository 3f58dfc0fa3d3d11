import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRouterTables1767225600000 implements MigrationInterface {
  name = 'CreateRouterTables1767225600000';

  async up(q: QueryRunner): Promise<void> {
    // One row per routing decision: (send, re-route attempt, deferrals so far). The first decision
    // stored for a key wins, so a redelivered request republishes the same outcome.
    await q.query(`
      CREATE TABLE router.decisions (
        send_id text NOT NULL,
        attempt int NOT NULL,
        deferrals int NOT NULL,
        message_id bigint NOT NULL,
        contact_id text NOT NULL,
        campaign_id text,
        campaign_event_id text,
        shipment_id text,
        channels jsonb,
        exclude_channels jsonb NOT NULL DEFAULT '[]',
        requested_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        outcome text NOT NULL,
        channel text,
        dispatch_id text,
        content_id int,
        candidates jsonb NOT NULL,
        skipped jsonb NOT NULL,
        reason text,
        retry_at timestamptz,
        decided_at timestamptz NOT NULL,
        PRIMARY KEY (send_id, attempt, deferrals)
      )`);
    await q.query('CREATE INDEX decisions_dispatch_id ON router.decisions (dispatch_id) WHERE dispatch_id IS NOT NULL');
    await q.query(`
      CREATE TABLE router.delivery_events (
        event_key text PRIMARY KEY,
        dispatch_id text NOT NULL,
        send_id text NOT NULL,
        channel text NOT NULL,
        event text NOT NULL,
        occurred_at timestamptz NOT NULL,
        error jsonb,
        url text,
        provider text,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX delivery_events_send_id ON router.delivery_events (send_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE router.delivery_events');
    await q.query('DROP TABLE router.decisions');
  }
}
