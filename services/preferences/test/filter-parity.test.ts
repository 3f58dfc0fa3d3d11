import {
  contentFilterErrors,
  matchesContentFilters,
  preferencesSegmentsContacts,
  preferencesSegmentsDelete,
  preferencesSegmentsSave,
  SegmentFilterInputSchema,
  storedFilter,
  type ContactInput,
  type FilterSubject,
  type SegmentFilterInput,
} from '@switchboard/contracts';
import { startPreferences, type PreferencesContext } from './support/preferences-context';

type F = Partial<SegmentFilterInput> & { field: string; operator: string };
const actor = { id: 1, name: 'Ann Admin' };

const CONTACTS: (Partial<ContactInput> & { id: string })[] = [
  {
    id: 'p-ann',
    email: 'ann@gmail.com',
    firstname: 'Ann',
    lastname: 'Adams',
    country: 'CZ',
    locale: 'cs_CZ',
    timezone: 'Europe/Prague',
    fields: { age: 34, city: 'Prague', vip: 'yes', joined: '2026-01-10', plan: 'gold', note: '' },
  },
  {
    id: 'p-bob',
    email: 'bob@example.com',
    firstname: 'Bob',
    country: 'US',
    timezone: 'America/New_York',
    fields: { age: '19', city: 'Brno', vip: false, joined: '2025-06-01T10:00:00Z' },
  },
  { id: 'p-cid', email: 'cid_x@gmail.com', fields: { age: 'unknown', plan: 'silver', city: 'prague' } },
  { id: 'p-dee', firstname: 'Dee', fields: { age: 70.5, joined: '2026-11-20', vip: 1 } },
];

/** The contact as a dispatch carries it (preferences' renderFields: custom fields, the standard ones over them). */
function subjectOf(c: (typeof CONTACTS)[number]): FilterSubject {
  return {
    id: c.id,
    locale: c.locale ?? null,
    timezone: c.timezone ?? null,
    fields: {
      ...c.fields,
      firstname: c.firstname ?? null,
      lastname: c.lastname ?? null,
      email: c.email ?? null,
      mobile: null,
      twitterHandle: null,
      country: c.country ?? null,
    },
  };
}

/**
 * One meaning of the segment filter format: the SQL preferences compiles for segments and the code
 * senders evaluate for content variants pick the same contacts, filter by filter.
 */
describe('segment filters: preferences SQL and the content evaluator agree', () => {
  let ctx: PreferencesContext;

  beforeAll(async () => {
    ctx = await startPreferences();
    for (const c of CONTACTS) await ctx.newContact(c);
  });

  afterAll(() => ctx?.close());

  const FILTERS: F[][] = [
    [{ field: 'city', operator: '=', filter: 'Prague' }],
    [{ field: 'city', operator: '!=', filter: 'Prague' }],
    [{ field: 'city', operator: 'empty' }],
    [{ field: 'city', operator: '!empty' }],
    [{ field: 'city', operator: 'like', filter: 'pra' }],
    [{ field: 'city', operator: '!like', filter: 'pr%' }],
    [{ field: 'city', operator: 'contains', filter: 'RA' }],
    [{ field: 'city', operator: '!contains', filter: 'ra' }],
    [{ field: 'city', operator: 'startsWith', filter: 'b' }],
    [{ field: 'city', operator: 'endsWith', filter: 'GUE' }],
    [{ field: 'city', operator: 'in', filter: ['Brno', 'prague'] }],
    [{ field: 'city', operator: '!in', filter: ['Brno'] }],
    [{ field: 'city', operator: 'regexp', filter: '^p' }],
    [{ field: 'city', operator: '!regexp', filter: 'no$' }],
    [{ field: 'note', operator: 'empty' }],
    [{ field: 'age', type: 'number', operator: 'gt', filter: 20 }],
    [{ field: 'age', type: 'number', operator: 'lte', filter: '34' }],
    [{ field: 'age', type: 'number', operator: 'between', filter: [18, 40] }],
    [{ field: 'age', type: 'number', operator: '!between', filter: [18, 40] }],
    [{ field: 'age', type: 'number', operator: 'in', filter: [19, 70.5] }],
    [{ field: 'age', type: 'number', operator: 'empty' }],
    [{ field: 'vip', type: 'boolean', operator: '=', filter: 1 }],
    [{ field: 'vip', type: 'boolean', operator: '!=', filter: 1 }],
    [{ field: 'joined', type: 'date', operator: 'gt', filter: '2026-01-01' }],
    [{ field: 'joined', type: 'date', operator: '=', filter: '2026-01-10' }],
    [{ field: 'joined', type: 'date', operator: 'gte', filter: '-30 days' }],
    [{ field: 'joined', type: 'date', operator: 'lt', filter: 'today' }],
    [{ field: 'joined', type: 'date', operator: 'between', filter: ['2025-01-01', '2026-02-01'] }],
    [{ field: 'email', operator: 'endsWith', filter: '@gmail.com' }],
    [{ field: 'firstname', operator: 'empty' }],
    [{ field: 'lastname', operator: '!=', filter: 'Adams' }],
    [{ field: 'country', operator: 'in', filter: ['CZ', 'SK'] }],
    [{ field: 'timezone', operator: 'startsWith', filter: 'America/' }],
    [{ field: 'locale', operator: '=', filter: 'cs_CZ' }],
    [{ field: 'id', operator: 'in', filter: ['p-bob', 'p-dee'] }],
    [
      { field: 'city', operator: '=', filter: 'Prague' },
      { field: 'plan', operator: '=', filter: 'silver', glue: 'or' },
      { field: 'age', type: 'number', operator: 'gt', filter: 60, glue: 'or' },
    ],
    [
      { field: 'plan', operator: '!empty' },
      { field: 'age', type: 'number', operator: 'gt', filter: 20 },
    ],
  ];

  it.each(FILTERS.map((filters) => [JSON.stringify(filters), filters] as const))('%s', async (_name, filters) => {
    const stored = filters.map((f) => storedFilter(SegmentFilterInputSchema.parse(f)));
    expect(contentFilterErrors(stored)).toEqual([]);
    const { segment } = await ctx.rpc.call(preferencesSegmentsSave, {
      mode: 'create',
      input: { name: 'parity', filters },
      actor,
    } as never);
    const { contacts } = await ctx.rpc.call(preferencesSegmentsContacts, { segmentId: segment.id!, limit: 1000 });
    await ctx.rpc.call(preferencesSegmentsDelete, { id: segment.id! });
    const bySql = contacts
      .map((c) => c.id)
      .filter((id) => id.startsWith('p-'))
      .sort();
    const inCode = CONTACTS.filter((c) => matchesContentFilters(stored, subjectOf(c), ctx.clock.now()))
      .map((c) => c.id)
      .sort();
    expect(inCode).toEqual(bySql);
  });
});
