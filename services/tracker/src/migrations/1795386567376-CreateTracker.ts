import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Frozen with this migration: a later column is a later migration. */
const COUNTER_COLUMNS = [
  'reach',
  'c_reach',
  't_reach',
  'ct_reach',
  'shipments',
  'c_shipments',
  't_shipments',
  'ct_shipments',
  'sent',
  'delivered',
  'failed',
  'bounced',
  'opened',
  'unique_opened',
  'c_unique_opened',
  't_unique_opened',
  'ct_unique_opened',
  'clicked',
  'unique_clicked',
  'c_unique_clicked',
  't_unique_clicked',
  'ct_unique_clicked',
  'unsubscribed',
  'complained',
  'deferred',
  't_deferred',
  'suppressed',
];

export class CreateTracker1795386567376 implements MigrationInterface {
  name = 'CreateTracker1795386567376';

  async up(q: QueryRunner): Promise<void> {
    // Every routing outcome and delivery event once, keyed by its idempotency key: a redelivered
    // event conflicts here and changes nothing else.
    await q.query(`
      CREATE TABLE tracker.events (
        event_key text PRIMARY KEY,
        send_id text NOT NULL,
        dispatch_id text,
        kind text NOT NULL,
        channel text,
        message_id integer NOT NULL,
        contact_id text NOT NULL,
        campaign_id text,
        campaign_event_id text,
        shipment_id text,
        occurred_at timestamptz NOT NULL,
        url text,
        detail jsonb,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX events_send_idx ON tracker.events (send_id)');
    await q.query('CREATE INDEX events_contact_idx ON tracker.events (contact_id)');

    // One row per send, recomputed from that send's events whenever one arrives (order-independent).
    // created_at is the send's earliest event: pages are ordered by it.
    await q.query(`
      CREATE TABLE tracker.deliveries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        send_id text NOT NULL UNIQUE,
        message_id integer NOT NULL,
        contact_id text NOT NULL,
        campaign_id text,
        campaign_event_id text,
        shipment_id text,
        channel text,
        dispatch_id text,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        deferrals integer NOT NULL DEFAULT 0,
        skipped jsonb NOT NULL DEFAULT '[]'::jsonb,
        failure_reason text,
        error jsonb,
        retry_at timestamptz,
        opens integer NOT NULL DEFAULT 0,
        clicks integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        routed_at timestamptz,
        sent_at timestamptz,
        delivered_at timestamptz,
        failed_at timestamptz,
        bounced_at timestamptz,
        opened_at timestamptz,
        clicked_at timestamptz,
        unsubscribed_at timestamptz,
        complained_at timestamptz
      )`);
    // Pages are ordered by (created_at, id) descending; one index per filter keeps any filtered page an index range.
    for (const [name, cols] of [
      ['created', 'created_at, id'],
      ['message', 'message_id, created_at, id'],
      ['message_status', 'message_id, status, created_at, id'],
      ['campaign', 'campaign_id, created_at, id'],
      ['campaign_status', 'campaign_id, status, created_at, id'],
      ['contact', 'contact_id, created_at, id'],
      ['channel', 'channel, created_at, id'],
      ['status', 'status, created_at, id'],
    ]) {
      await q.query(`CREATE INDEX deliveries_${name}_idx ON tracker.deliveries (${cols})`);
    }

    // Figures per (message, campaign, channel, UTC day), incremented with each batch of new events.
    // campaign_key and channel are '' when there is none. The distinct figures come in variants:
    // c_* count per campaign (a contact reached by one message through two campaigns counts once in
    // each), t_* count once across channels (summed over every row they give the exact total).
    await q.query(`
      CREATE TABLE tracker.counters (
        message_id integer NOT NULL,
        campaign_key text NOT NULL,
        channel text NOT NULL,
        day date NOT NULL,
        ${COUNTER_COLUMNS.map((c) => `${c} integer NOT NULL DEFAULT 0,`).join('\n        ')}
        PRIMARY KEY (message_id, campaign_key, channel, day)
      )`);
    await q.query(`CREATE INDEX counters_campaign_idx ON tracker.counters (campaign_key) WHERE campaign_key <> ''`);

    // Firsts behind the distinct figures: (message, scope, channel, kind, subject) where subject is a
    // contact (reach, opened, clicked), a shipment or a send (deferred); scope '' is the message
    // (else the campaign, with message_id 0: across its messages) and channel '*' all channels.
    await q.query(`
      CREATE TABLE tracker.firsts (
        message_id integer NOT NULL,
        campaign_key text NOT NULL,
        channel text NOT NULL,
        kind text NOT NULL,
        subject text NOT NULL,
        PRIMARY KEY (message_id, campaign_key, channel, kind, subject)
      )`);
    await q.query('CREATE INDEX firsts_subject_idx ON tracker.firsts (subject)');

    // A contact's label for search, from the dispatches that reached them; erased with the contact.
    await q.query(`
      DO $$ BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
      EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL;
      END $$`);
    await q.query(`
      CREATE TABLE tracker.contacts (
        contact_id text PRIMARY KEY,
        email text,
        name text,
        label text GENERATED ALWAYS AS (lower(coalesce(email, '') || ' ' || coalesce(name, ''))) STORED,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX contacts_label_trgm_idx ON tracker.contacts USING gin (label public.gin_trgm_ops)');
    // sha256 of erased contact ids, so that a late event cannot bring an erased contact back.
    await q.query(`
      CREATE TABLE tracker.erased_contacts (
        contact_hash text PRIMARY KEY,
        erased_at timestamptz NOT NULL
      )`);

    await q.query(`
      CREATE TABLE tracker.webhooks (
        id serial PRIMARY KEY,
        name text NOT NULL,
        description text,
        webhook_url text NOT NULL,
        secret text NOT NULL,
        triggers text[] NOT NULL,
        is_published boolean NOT NULL DEFAULT true,
        created_by text,
        date_added timestamptz NOT NULL DEFAULT now(),
        date_modified timestamptz NOT NULL DEFAULT now()
      )`);
    // The outbox of each endpoint: written in the ingest transaction (so only new events), sent and
    // retried by the webhook dispatcher, deleted once the endpoint answered 2xx.
    await q.query(`
      CREATE TABLE tracker.webhook_deliveries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        webhook_id integer NOT NULL REFERENCES tracker.webhooks (id) ON DELETE CASCADE,
        event_key text NOT NULL,
        type text NOT NULL,
        contact_id text NOT NULL,
        body jsonb NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_status integer,
        last_error text,
        dead_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (webhook_id, event_key)
      )`);
    await q.query(
      'CREATE INDEX webhook_deliveries_due_idx ON tracker.webhook_deliveries (webhook_id, next_attempt_at) WHERE dead_at IS NULL',
    );
    await q.query('CREATE INDEX webhook_deliveries_contact_idx ON tracker.webhook_deliveries (contact_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'webhook_deliveries',
      'webhooks',
      'erased_contacts',
      'contacts',
      'firsts',
      'counters',
      'deliveries',
      'events',
    ]) {
      await q.query(`DROP TABLE tracker.${table}`);
    }
  }
}
