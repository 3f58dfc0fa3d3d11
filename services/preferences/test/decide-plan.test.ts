import { ContactsRepository } from '../src/contacts/contacts.repository';
import { PREVIOUS, WINDOWS } from '../src/decisions/decisions.repository';
import { execute } from '@switchboard/persistence';
import { startPreferences, type PreferencesContext } from './support/preferences-context';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** A row of EXPLAIN (FORMAT JSON). */
interface ExplainRow {
  'QUERY PLAN': { Plan: PlanNode }[];
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
    await execute(
      ctx.ds,
      `INSERT INTO preferences.decisions (send_id, attempt, contact_id, deferrals, outcome, decision, decided_at, channel, reserved_at)
       SELECT 's' || g, 0, 'c' || (g % 300), 0, 'routed', '{}'::jsonb, now(), 'email', now() FROM generate_series(1, 3000) g`,
    );
    await execute(ctx.ds, 'ANALYZE preferences.decisions');
    const ids = Array.from({ length: 500 }, (_, i) => String(i));
    const scansIn = async (sql: string, params: unknown[]) => {
      const [{ 'QUERY PLAN': plan }] = await ctx.ds.query<ExplainRow[]>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
      return scansOf(plan[0].Plan, 'decisions');
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
 * Rules and do-not-contact entries are joined to the ids of the contacts read: an index probe per
 * id, or one read of a small table per statement, never a scan per contact. As subqueries per
 * contact they were costed for one contact, and with a few hundred entries in a table PostgreSQL
 * scanned all of it once per contact (~21 µs a contact). A fresh table (no statistics) and an
 * analyzed one must both keep so, for every read of many contacts at once.
 */
describe('preferences — the contacts reads plan', () => {
  let ctx: PreferencesContext;
  let contacts: ContactsRepository;

  beforeAll(async () => {
    ctx = await startPreferences();
    contacts = ctx.svc.app.get(ContactsRepository);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  /** The contacts a read answers, by id, with how many rules and do-not-contact entries each has. */
  type Answered = { id: string; rules: number; dnc: number }[];
  const answered = (records: Iterable<{ id: string; rules: object; dnc: unknown[] }>): Answered =>
    [...records].map((r) => ({ id: r.id, rules: Object.keys(r.rules).length, dnc: r.dnc.length }));

  /** Each read of many contacts, as the repository runs it, of the contacts `ids` (sorted). */
  const reads: Record<string, (ids: string[]) => Promise<Answered>> = {
    'decide (lockForDecision)': async (ids) =>
      answered((await contacts.lockForDecision(ids, ctx.ds)).values()).sort((a, b) => (a.id < b.id ? -1 : 1)),
    findMany: async (ids) => answered((await contacts.findMany(ids)).values()),
    'findMany, locked': async (ids) => answered((await contacts.findMany(ids, ctx.ds, { lock: true })).values()),
    "list of ids: (the gateway's lookup)": async (ids) =>
      answered(
        (await contacts.list({ search: `ids:${ids.join(',')}`, start: 0, limit: 0, orderBy: 'id', orderByDir: 'asc' }))
          .records,
      ),
    'list, a page (the first contacts by id)': async (ids) =>
      answered((await contacts.list({ start: 0, limit: ids.length, orderBy: 'id', orderByDir: 'asc' })).records),
  };

  /**
   * What `read` answers, and each read of the two tables in the plans of the statements it ran, as
   * "<table>: <node type> x <times run>" (each statement run again under EXPLAIN ANALYZE).
   */
  async function planOf(read: (ids: string[]) => Promise<Answered>, ids: string[]) {
    const statements: { sql: string; params: unknown[] }[] = [];
    const query = ctx.ds.query.bind(ctx.ds);
    ctx.ds.query = ((sql: string, params?: unknown[]) => {
      statements.push({ sql, params: params ?? [] });
      return query(sql, params);
    }) as typeof ctx.ds.query;
    let answer: Answered;
    try {
      answer = await read(ids);
    } finally {
      ctx.ds.query = query;
    }
    const tableReads: string[] = [];
    for (const { sql, params } of statements) {
      const [{ 'QUERY PLAN': plan }] = await ctx.ds.query<ExplainRow[]>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
        params,
      );
      for (const relation of ['channel_rules', 'dnc_entries'])
        for (const n of nodesOf(plan[0].Plan, relation))
          tableReads.push(`${relation}: ${n['Node Type']} x ${n['Actual Loops']}`);
    }
    return { answer, tableReads };
  }

  /** A whole-table read repeated: per contact (an index lookup per id, bitmap or not, is fine). */
  const perContact = /: Seq Scan x ([2-9]|\d\d+)$/;

  it.each([400, 5000])(
    'never scans the rules or do-not-contact table per contact, with %i entries, before and after ANALYZE',
    async (entries) => {
      await execute(ctx.ds, 'TRUNCATE preferences.contacts CASCADE');
      await execute(
        ctx.ds,
        `INSERT INTO preferences.contacts (id, email) SELECT p || g, p || g || '@example.com'
           FROM generate_series(0, $1::int - 1) g, unnest(ARRAY['p', 'o']) p`,
        [Math.max(entries, 500)],
      );
      await execute(
        ctx.ds,
        `INSERT INTO preferences.dnc_entries (contact_id, channel, reason, date_added)
         SELECT 'o' || g, 'email', 1, now() FROM generate_series(0, $1::int - 1) g`,
        [entries],
      );
      await execute(
        ctx.ds,
        `INSERT INTO preferences.channel_rules (contact_id, channel, frequency_number, frequency_time)
         SELECT 'o' || g, 'sms', 2, 'WEEK' FROM generate_series(0, $1::int - 1) g`,
        [entries],
      );
      const repeatedScans: string[] = [];
      for (const analyzed of [false, true]) {
        if (analyzed)
          await execute(ctx.ds, 'ANALYZE preferences.contacts, preferences.dnc_entries, preferences.channel_rules');
        for (const size of [20, 500]) {
          // Two of the contacts read have a rule and an entry; the others have none.
          const ids = ['o0', 'o1', ...Array.from({ length: size - 2 }, (_, i) => `p${i}`)].sort();
          const hasEntries = (id: string) => (id.startsWith('o') && Number(id.slice(1)) < entries ? 1 : 0);
          for (const [name, read] of Object.entries(reads)) {
            const { answer, tableReads } = await planOf(read, ids);
            expect(tableReads.length).toBeGreaterThanOrEqual(2);
            for (const r of tableReads.filter((r) => perContact.test(r)))
              repeatedScans.push(`${name}, ${analyzed ? 'analyzed' : 'fresh'}, ${size} contacts: ${r}`);
            // In id order (decide's sorted here), each with its rule and entry if it has them.
            const expectedIds = name.startsWith('list, a page') ? [...answer.map((c) => c.id)].sort() : ids;
            expect(answer).toHaveLength(size);
            expect(answer).toEqual(expectedIds.map((id) => ({ id, rules: hasEntries(id), dnc: hasEntries(id) })));
          }
        }
      }
      expect(repeatedScans).toEqual([]);
    },
  );
});
