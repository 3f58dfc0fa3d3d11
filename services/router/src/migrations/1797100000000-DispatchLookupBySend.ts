import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DispatchLookupBySend1797100000000 implements MigrationInterface {
  name = 'DispatchLookupBySend1797100000000';

  async up(q: QueryRunner): Promise<void> {
    // A delivery event names its send as well as its dispatch, so the primary key (send_id first)
    // finds the decision behind a dispatch; this index cost every routed decision an insert.
    await q.query('DROP INDEX router.decisions_dispatch_id');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX decisions_dispatch_id ON router.decisions (dispatch_id) WHERE dispatch_id IS NOT NULL');
  }
}
