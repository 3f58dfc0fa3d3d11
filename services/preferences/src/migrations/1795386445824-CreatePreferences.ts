import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePreferences1795386445824 implements MigrationInterface {
  name = 'CreatePreferences1795386445824';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE preferences.contacts (
        id text PRIMARY KEY,
        email text,
        mobile text,
        firstname text,
        lastname text,
        locale text,
        timezone text,
        twitter_handle text,
        web_push_subscriptions jsonb NOT NULL DEFAULT '[]'::jsonb,
        mobile_devices jsonb NOT NULL DEFAULT '[]'::jsonb,
        fields jsonb NOT NULL DEFAULT '{}'::jsonb,
        preferred_channel text,
        date_added timestamptz NOT NULL DEFAULT now(),
        date_modified timestamptz NOT NULL DEFAULT now()
      )`);
    // Frequency rule and pause window of one contact on one channel.
    await q.query(`
      CREATE TABLE preferences.channel_rules (
        contact_id text NOT NULL REFERENCES preferences.contacts (id) ON DELETE CASCADE,
        channel text NOT NULL,
        frequency_number integer CHECK (frequency_number >= 0),
        frequency_time text CHECK (frequency_time IN ('DAY', 'WEEK', 'MONTH')),
        pause_from timestamptz,
        pause_to timestamptz,
        PRIMARY KEY (contact_id, channel)
      )`);
    // One entry per reason, so that a contact's re-subscribe can drop `unsubscribed` and keep `bounced`.
    await q.query(`
      CREATE TABLE preferences.dnc_entries (
        contact_id text NOT NULL REFERENCES preferences.contacts (id) ON DELETE CASCADE,
        channel text NOT NULL,
        reason smallint NOT NULL CHECK (reason BETWEEN 1 AND 4),
        comments text,
        source text,
        date_added timestamptz NOT NULL,
        PRIMARY KEY (contact_id, channel, reason)
      )`);
    await q.query(`
      CREATE TABLE preferences.frequency_ledger (
        send_id text NOT NULL,
        attempt integer NOT NULL,
        contact_id text NOT NULL,
        channel text NOT NULL,
        reserved_at timestamptz NOT NULL,
        PRIMARY KEY (send_id, attempt)
      )`);
    await q.query(
      'CREATE INDEX frequency_ledger_window_idx ON preferences.frequency_ledger (contact_id, channel, reserved_at)',
    );
    await q.query(`
      CREATE TABLE preferences.decisions (
        send_id text NOT NULL,
        attempt integer NOT NULL,
        contact_id text NOT NULL,
        deferrals integer NOT NULL,
        outcome text NOT NULL,
        decision jsonb NOT NULL,
        decided_at timestamptz NOT NULL,
        PRIMARY KEY (send_id, attempt)
      )`);
    await q.query('CREATE INDEX decisions_contact_idx ON preferences.decisions (contact_id)');
    await q.query('CREATE INDEX decisions_decided_at_idx ON preferences.decisions USING brin (decided_at)');
    await q.query(
      'CREATE INDEX frequency_ledger_reserved_at_idx ON preferences.frequency_ledger USING brin (reserved_at)',
    );
    // Delivery events already turned into do-not-contact entries (idempotency on dispatch id + event).
    await q.query(`
      CREATE TABLE preferences.processed_events (
        key text PRIMARY KEY,
        processed_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Outbox of sb.contact.erased.v1: written with the erasure, published after commit, retried until published.
    await q.query(`
      CREATE TABLE preferences.erasures (
        contact_id text NOT NULL,
        erased_at timestamptz NOT NULL,
        published_at timestamptz,
        PRIMARY KEY (contact_id, erased_at)
      )`);
    await q.query(
      'CREATE INDEX erasures_unpublished_idx ON preferences.erasures (erased_at) WHERE published_at IS NULL',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'erasures',
      'processed_events',
      'decisions',
      'frequency_ledger',
      'dnc_entries',
      'channel_rules',
      'contacts',
    ]) {
      await q.query(`DROP TABLE preferences.${table}`);
    }
  }
}
