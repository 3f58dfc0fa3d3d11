import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The contacts' inboxes (DESIGN §7.7): one row per dispatch of the `inapp` channel, keyed by the
 * dispatch id so a redelivered dispatch never stores a second copy. The two indexes serve the
 * end-user API: a contact's page of messages newest first, and its unread count (which stays an
 * index-only count over the few unread rows, however many read ones the contact keeps).
 */
export class CreateInbox1797000000100 implements MigrationInterface {
  name = 'CreateInbox1797000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sender_inapp.inbox_messages (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        dispatch_id text NOT NULL UNIQUE,
        send_id text NOT NULL,
        message_id int NOT NULL,
        contact_id text NOT NULL,
        campaign_id text,
        campaign_event_id text,
        shipment_id text,
        title text NOT NULL,
        body text,
        url text,
        icon text,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        archived_at timestamptz,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX inbox_messages_contact_created ON sender_inapp.inbox_messages (contact_id, created_at DESC, id DESC)
         WHERE archived_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX inbox_messages_contact_unread ON sender_inapp.inbox_messages (contact_id, created_at DESC, id DESC)
         WHERE read_at IS NULL AND archived_at IS NULL`,
    );
    // Retention (the Pruner) deletes by expiry.
    await q.query('CREATE INDEX inbox_messages_expires ON sender_inapp.inbox_messages (expires_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sender_inapp.inbox_messages');
  }
}
