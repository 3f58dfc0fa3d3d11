import { LOAD_SQL } from '../src/decisions/decisions.repository';
import { startPreferences, type PreferencesContext } from './support/preferences-context';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function scansOf(node: PlanNode, relation: string): string[] {
  const own = node['Relation Name'] === relation ? [node['Node Type']] : [];
  return [...own, ...(node.Plans ?? []).flatMap((child) => scansOf(child, relation))];
}

/**
 * The ledger read must stay an index lookup per key whatever the planner thinks of the table: a
 * scan of `decisions` makes every batch cost in proportion to all decisions ever stored.
 */
describe('preferences.decide — the ledger read plan', () => {
  let ctx: PreferencesContext;

  beforeAll(async () => {
    ctx = await startPreferences();
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('looks up earlier decisions and reservation windows by index, for a batch of 500 over a small table', async () => {
    await ctx.ds.query(
      `INSERT INTO preferences.decisions (send_id, attempt, contact_id, deferrals, outcome, decision, decided_at, channel, reserved_at)
       SELECT 's' || g, 0, 'c' || (g % 300), 0, 'routed', '{}'::jsonb, now(), 'email', now() FROM generate_series(1, 3000) g`,
    );
    await ctx.ds.query('ANALYZE preferences.decisions');
    const ids = Array.from({ length: 500 }, (_, i) => String(i));
    const [{ 'QUERY PLAN': plan }] = await ctx.ds.query(`EXPLAIN (FORMAT JSON) ${LOAD_SQL}`, [
      ids.map((i) => `s${i}`),
      ids.map(() => 0),
      ids.map((i) => `c${i}`),
      ids.map(() => 'email'),
      ids.map(() => new Date(Date.now() - 86_400_000).toISOString()),
      ids.map(() => 3),
    ]);
    const scans = scansOf((plan as { Plan: PlanNode }[])[0].Plan, 'decisions');
    expect(scans).toHaveLength(2);
    expect(scans.every((type) => type === 'Index Scan' || type === 'Index Only Scan')).toBe(true);
  });
});
