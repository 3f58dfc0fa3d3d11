import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateScheduledSends1767225700000 implements MigrationInterface {
  name = 'CreateScheduledSends1767225700000';

  async up(q: QueryRunner): Promise<void> {
    // Send requests to emit later: future `sendAt`s and deferred sends. Emitted rows stay a while so
    // that a redelivered deferral finds its key taken instead of scheduling the send again.
    await q.query(`
      CREATE TABLE campaign_actions.scheduled_sends (
        send_id text NOT NULL,
        attempt int NOT NULL,
        deferrals int NOT NULL,
        msg_id text NOT NULL,
        due_at timestamptz NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        emitted_at timestamptz,
        PRIMARY KEY (send_id, attempt, deferrals)
      )`);
    await q.query(
      'CREATE INDEX scheduled_sends_due ON campaign_actions.scheduled_sends (due_at) WHERE emitted_at IS NULL',
    );
    await q.query(
      'CREATE INDEX scheduled_sends_emitted ON campaign_actions.scheduled_sends (emitted_at) WHERE emitted_at IS NOT NULL',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE campaign_actions.scheduled_sends');
  }
}
