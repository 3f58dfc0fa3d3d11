import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Provider feedback (a Twilio callback, an SMPP receipt, a SendGrid event) names the message by the provider's id. */
export function providerMessageIdIndexMigration(schema: string): Function {
  const table = `"${schema}".dispatch_attempts`;
  return class ProviderMessageIdIndex1796700000100 implements MigrationInterface {
    name = 'ProviderMessageIdIndex1796700000100';

    async up(q: QueryRunner): Promise<void> {
      await q.query(
        `CREATE INDEX dispatch_attempts_provider_message_id_idx ON ${table} ((event->>'providerMessageId'))
         WHERE event ? 'providerMessageId'`,
      );
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP INDEX "${schema}".dispatch_attempts_provider_message_id_idx`);
    }
  };
}
