import { DECISION_CONTACTS } from '../src/contacts/contacts.repository';
import { PREVIOUS, WINDOWS } from '../src/decisions/decisions.repository';
import { startPreferences, type PreferencesContext } from './support/preferences-context';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode, relation: string): PlanNode[] {
  const own = node['Relation Name'] === relation ? [node] : [];
  return [...own, ...(node.Plans ?? []).flatMap((child) => nodesOf(child, relation))];
}

function scansOf(node: PlanNode, relation: string): string[] {
  return nodesOf(node, relation).map((n) => n['Node Type']);
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
    const scansIn = async (sql: string, params: unknown[]) => {
      const [{ 'QUERY PLAN': plan }] = await ctx.ds.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
      return scansOf((plan as { Plan: PlanNode }[])[0].Plan, 'decisions');
    };
    const scans = [
      ...(await scansIn(PREVIOUS.text, [ids.map((i) => `s${i}`), ids.map(() => 0)])),
      ...(await scansIn(WINDOWS.text, [
        ids.map((i) => `c${i}`),
        ids.map(() => 'email'),
        ids.map(() => new Date(Date.now() - 86_400_000).toISOString()),
        ids.map(() => 3),
      ])),
    ];
    expect(scans).toHaveLength(2);
    expect(scans.every((type) => type === 'Index Scan' || type === 'Index Only Scan')).toBe(true);
  });
});

/**
 * Rules and do-not-contact entries are joined to the batch's ids: an index probe per id, or one read
 * of a small table per batch, never a scan per contact. As subqueries per contact they were costed
 * for one contact, and with a few hundred entries in a table PostgreSQL scanned all of it once per
 * contact (~21 µs a contact). A fresh table (no statistics) and an analyzed one must both keep so.
 */
describe('preferences.decide — the contacts read plan', () => {
  let ctx: PreferencesContext;

  beforeAll(async () => {
    ctx = await startPreferences();
  });
  afterAll(async () => {
    await ctx?.close();
  });

  /** Each read of the two tables in the plan of a batch of `size`, as "<table>: <node type> x <times run>". */
  async function readsOfBatch(size: number): Promise<string[]> {
    const ids = Array.from({ length: size }, (_, i) => `p${i}`);
    const [{ 'QUERY PLAN': plan }] = await ctx.ds.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${DECISION_CONTACTS.text}`,
      [ids],
    );
    return ['channel_rules', 'dnc_entries'].flatMap((relation) =>
      nodesOf(plan[0].Plan, relation).map((n) => `${relation}: ${n['Node Type']} x ${n['Actual Loops']}`),
    );
  }

  /** A whole-table read repeated: per contact (an index lookup per id, bitmap or not, is fine). */
  const perContact = /: Seq Scan x ([2-9]|\d\d+)$/;

  it.each([400, 5000])(
    'never scans the rules or do-not-contact table per contact, with %i entries of other contacts, before and after ANALYZE',
    async (entries) => {
      await ctx.ds.query('TRUNCATE preferences.contacts CASCADE');
      await ctx.ds.query(
        `INSERT INTO preferences.contacts (id, email) SELECT p || g, p || g || '@example.com'
           FROM generate_series(0, $1::int - 1) g, unnest(ARRAY['p', 'o']) p`,
        [Math.max(entries, 500)],
      );
      await ctx.ds.query(
        `INSERT INTO preferences.dnc_entries (contact_id, channel, reason, date_added)
         SELECT 'o' || g, 'email', 1, now() FROM generate_series(0, $1::int - 1) g`,
        [entries],
      );
      await ctx.ds.query(
        `INSERT INTO preferences.channel_rules (contact_id, channel, frequency_number, frequency_time)
         SELECT 'o' || g, 'sms', 2, 'WEEK' FROM generate_series(0, $1::int - 1) g`,
        [entries],
      );
      for (const analyzed of [false, true]) {
        if (analyzed)
          await ctx.ds.query('ANALYZE preferences.contacts, preferences.dnc_entries, preferences.channel_rules');
        for (const size of [20, 500]) {
          const reads = await readsOfBatch(size);
          expect(reads.length).toBeGreaterThanOrEqual(2);
          expect({ analyzed, size, perContact: reads.filter((r) => perContact.test(r)) }).toEqual({
            analyzed,
            size,
            perContact: [],
          });
        }
      }
    },
  );
});
