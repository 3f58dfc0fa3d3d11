import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DecisionTraceIds1796600000000 implements MigrationInterface {
  name = 'DecisionTraceIds1796600000000';

  async up(q: QueryRunner): Promise<void> {
    // The trace of the request a decision answered: GET /api/sends/{id} names it for the operator.
    await q.query('ALTER TABLE router.decisions ADD COLUMN trace_id text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE router.decisions DROP COLUMN trace_id');
  }
}
