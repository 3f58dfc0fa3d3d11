import { preferencesAudiencePage, preferencesSegmentsSave } from '@switchboard/contracts';
import { execute } from '@switchboard/persistence';
import { startPreferences, type PreferencesContext } from './support/preferences-context';

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** Rows the plan read from `relation`, over every scan of it. */
function rowsReadFrom(node: PlanNode, relation: string): number {
  const own = node['Relation Name'] === relation ? (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1) : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsReadFrom(child, relation), 0);
}

/**
 * A shipment pages through its audience; a page of a static segment must read the members from its
 * keyset on. Read from the first member, page k costs k pages, and a million-contact shipment's
 * resolution grows with the square of its size.
 */
describe('preferences — an audience page of a static segment', () => {
  let ctx: PreferencesContext;

  beforeAll(async () => {
    ctx = await startPreferences();
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('reads about one page of members, however far into the segment it is', async () => {
    const { segment } = await ctx.rpc.call(preferencesSegmentsSave, {
      mode: 'create',
      input: { name: 'Static list' },
      actor: { id: null, name: null },
    });
    await execute(
      ctx.ds,
      `INSERT INTO preferences.contacts (id, email) SELECT 'p' || lpad(g::text, 6, '0'), 'p' || g || '@example.com'
         FROM generate_series(0, 19999) g`,
    );
    await execute(
      ctx.ds,
      `INSERT INTO preferences.segment_members (segment_id, contact_id)
       SELECT $1, 'p' || lpad(g::text, 6, '0') FROM generate_series(0, 19999) g`,
      [segment.id],
    );
    await execute(ctx.ds, 'ANALYZE preferences.contacts, preferences.segment_members');

    // The statement the page runs, as the service builds it (captured from its DataSource).
    const statements: { sql: string; params: unknown[] }[] = [];
    const query = ctx.ds.query.bind(ctx.ds);
    ctx.ds.query = ((sql: string, params?: unknown[]) => {
      if (sql.includes('ORDER BY c.id LIMIT')) statements.push({ sql, params: params ?? [] });
      return query(sql, params);
    }) as typeof ctx.ds.query;
    const audience = { include: [segment.id!], exclude: [] };
    const page = await ctx.rpc.call(preferencesAudiencePage, { audience, after: 'p018000', limit: 500 });
    ctx.ds.query = query;
    expect(page.contactIds[0]).toBe('p018001');
    expect(page.contactIds).toHaveLength(500);

    expect(statements).toHaveLength(1);
    const [{ sql, params }] = statements;
    const [{ 'QUERY PLAN': plan }] = await ctx.ds.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
      params,
    );
    // 500 rows a page, and a few more the merge reads ahead; from the first member it was 18,500.
    expect(rowsReadFrom(plan[0].Plan, 'segment_members')).toBeLessThan(1_000);
  });
});
