import { preferencesAudienceCount, preferencesAudiencePage, preferencesContactsErase } from '@switchboard/contracts';
import type { Audience } from '@switchboard/contracts';
import { SegmentsRepository } from '../src/segments/segments.repository';
import { startPreferences, type PreferencesContext } from './support/preferences-context';

describe('preferences — audiences (include minus exclude, keyset pages)', () => {
  let ctx: PreferencesContext;
  let members: SegmentsRepository;
  const ids = (n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  let a: number;
  let b: number;
  let x: number;

  const newSegment = async (alias: string): Promise<number> => {
    const [{ id }]: { id: string }[] = await ctx.ds.query(
      'INSERT INTO preferences.segments (name, alias) VALUES ($1, $1) RETURNING id',
      [alias],
    );
    return Number(id);
  };

  /** Every page of the audience, following `next`. */
  const all = async (audience: Partial<Audience>, limit: number) => {
    const out: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { contactIds: string[]; next: string | null } = await ctx.rpc.call(preferencesAudiencePage, {
        audience: { include: [], exclude: [], ...audience },
        after,
        limit,
      });
      out.push(...page.contactIds);
      if (page.next === null) return out;
      after = page.next;
    }
  };
  const count = async (audience: Partial<Audience>) =>
    (await ctx.rpc.call(preferencesAudienceCount, { audience: { include: [], exclude: [], ...audience } })).count;

  beforeAll(async () => {
    ctx = await startPreferences();
    members = ctx.svc.app.get(SegmentsRepository);
    for (const id of [...ids(30, 'a'), ...ids(10, 'b'), 'erased-1']) await ctx.newContact({ id });
    a = await newSegment('seg-a');
    b = await newSegment('seg-b');
    x = await newSegment('seg-x');
    // a: a-000..a-019 and b-000..b-004; b: b-*, a-010..a-014 (overlap); x: a-000..a-004.
    await members.addMembers(a, [...ids(20, 'a'), ...ids(5, 'b'), 'erased-1', 'no-such-contact']);
    await members.addMembers(b, [...ids(10, 'b'), ...ids(15, 'a').slice(10)]);
    await members.addMembers(x, ids(5, 'a'));
    await ctx.rpc.call(preferencesContactsErase, { id: 'erased-1' });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('pages the union of the included segments minus the excluded, each contact once, in id order', async () => {
    const expected = [...ids(20, 'a').slice(5), ...ids(10, 'b')].sort();
    for (const limit of [1, 7, 25, 1000]) expect(await all({ include: [a, b], exclude: [x] }, limit)).toEqual(expected);
    expect(await count({ include: [a, b], exclude: [x] })).toBe(expected.length);
  });

  it('answers every contact for all: true, minus the excluded, and nothing for no segment', async () => {
    const everyone = [...ids(30, 'a'), ...ids(10, 'b')].sort();
    expect(await all({ all: true }, 9)).toEqual(everyone);
    expect(await count({ all: true, exclude: [x] })).toBe(everyone.length - 5);
    expect(await all({}, 10)).toEqual([]);
    expect(await count({ include: [987654] })).toBe(0);
  });

  it('never answers an erased contact, and a contact removed by hand leaves the segment', async () => {
    expect(await all({ include: [a] }, 100)).not.toContain('erased-1');
    expect(await ctx.ds.query("SELECT 1 FROM preferences.segment_members WHERE contact_id = 'erased-1'")).toEqual([]);
    await members.removeMembers(b, ['b-009']);
    expect(await all({ include: [b] }, 100)).not.toContain('b-009');
    expect(await count({ include: [b] })).toBe(14);
    await members.addMembers(b, ['b-009']);
    expect(await count({ include: [b] })).toBe(15);
  });

  it('gives an empty page with next null past the end', async () => {
    const page = await ctx.rpc.call(preferencesAudiencePage, {
      audience: { include: [a], exclude: [] },
      after: 'zzz',
      limit: 10,
    });
    expect(page).toEqual({ contactIds: [], next: null });
  });
});
