import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCampaigns1767225800000 implements MigrationInterface {
  name = 'CreateCampaigns1767225800000';

  async up(q: QueryRunner): Promise<void> {
    // Broadcasts (DESIGN §7.4). next_run_at is the next schedule slot while the campaign is
    // scheduled (or sending, for a recurring one); the timer claims due rows with SKIP LOCKED.
    await q.query(`
      CREATE TABLE campaign_actions.campaigns (
        id serial PRIMARY KEY,
        name text NOT NULL,
        description text,
        message_id integer NOT NULL,
        audience jsonb NOT NULL,
        schedule jsonb NOT NULL,
        status text NOT NULL DEFAULT 'draft',
        created_by text,
        submitted_by text,
        submitted_by_id text,
        approved_by text,
        approved_at timestamptz,
        rejected_by text,
        rejected_at timestamptz,
        rejection_comment text,
        next_run_at timestamptz,
        date_added timestamptz NOT NULL DEFAULT now(),
        date_modified timestamptz NOT NULL DEFAULT now(),
        last_shipment_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX campaigns_due ON campaign_actions.campaigns (next_run_at) WHERE next_run_at IS NOT NULL`,
    );

    // One row per run. UNIQUE (campaign_id, slot) is what makes a slot run once however many
    // instances see it due. targets/resolve_after is the audience cursor, requested the expansion
    // cursor: both move in the same transaction as the rows or publishes they account for, so a
    // worker that dies is resumed from them (the lease expires) by any instance.
    await q.query(`
      CREATE TABLE campaign_actions.shipments (
        id text PRIMARY KEY,
        campaign_id integer NOT NULL REFERENCES campaign_actions.campaigns (id) ON DELETE CASCADE,
        slot timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'Pending',
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        resolved boolean NOT NULL DEFAULT false,
        resolve_after text,
        targets integer NOT NULL DEFAULT 0,
        requested integer NOT NULL DEFAULT 0,
        canceled integer NOT NULL DEFAULT 0,
        lease_owner text,
        lease_until timestamptz,
        error text,
        UNIQUE (campaign_id, slot)
      )`);
    await q.query(`CREATE INDEX shipments_pending ON campaign_actions.shipments (started_at) WHERE status = 'Pending'`);

    // The audience of a shipment, resolved once, in contact-id order; seq numbers the rows so the
    // expansion cursor is a plain integer.
    await q.query(`
      CREATE TABLE campaign_actions.shipment_targets (
        shipment_id text NOT NULL REFERENCES campaign_actions.shipments (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        contact_id text NOT NULL,
        PRIMARY KEY (shipment_id, seq)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE campaign_actions.shipment_targets');
    await q.query('DROP TABLE campaign_actions.shipments');
    await q.query('DROP TABLE campaign_actions.campaigns');
  }
}
