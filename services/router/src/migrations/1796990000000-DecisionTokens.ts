import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DecisionTokens1796990000000 implements MigrationInterface {
  name = 'DecisionTokens1796990000000';

  async up(q: QueryRunner): Promise<void> {
    // Mautic's send tokens travel with the send: a re-route or a deferral dispatches them again.
    await q.query('ALTER TABLE router.decisions ADD COLUMN tokens jsonb');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE router.decisions DROP COLUMN tokens');
  }
}
