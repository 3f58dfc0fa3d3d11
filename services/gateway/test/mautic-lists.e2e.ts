import { startGateway, type GatewayTestContext } from './support/gateway-test';

/**
 * Every list endpoint under /api answers `{"total": n, "<key>": items}`:
 * - `array`: a JSON array, as DESIGN §7.1–§7.2 fix messages and channel content ("same shapes as
 *   7.1"), and Switchboard's own campaigns, in-app messages and templates; Mautic's categories too.
 * - `byId`: an object keyed by id, in the order asked, and `[]` when the page is empty (Mautic's
 *   segments: INDEX BY id through Doctrine's Paginator); `total` a number.
 * - `contacts`: keyed by id, `{}` when empty, `total` a string (Mautic's own test expects
 *   `{"total":"0","contacts":{}}`).
 * The order is read from the text: JSON.parse puts integer-like keys in ascending order.
 */
type Shape = 'array' | 'byId' | 'contacts';
interface Endpoint {
  path: string;
  key: string;
  shape: Shape;
  orderBy: string;
  label: (item: any) => string;
  create: (label: string, tag: string, n: number) => unknown;
}

const named = (extra: Record<string, unknown>) => (label: string, tag: string) => ({
  name: `${label} ${tag}`,
  ...extra,
});
const byName = (item: any) => String(item.name).split(' ')[0];

const ENDPOINTS: Endpoint[] = [
  { path: 'messages', key: 'messages', shape: 'array', orderBy: 'name', label: byName, create: named({}) },
  {
    path: 'emails',
    key: 'emails',
    shape: 'array',
    orderBy: 'name',
    label: byName,
    create: named({ subject: 'Hi', customHtml: '<p>Hi</p>' }),
  },
  { path: 'smses', key: 'smses', shape: 'array', orderBy: 'name', label: byName, create: named({ message: 'Hi' }) },
  {
    path: 'notifications',
    key: 'notifications',
    shape: 'array',
    orderBy: 'name',
    label: byName,
    create: named({ heading: 'Hi', message: 'Sale on' }),
  },
  { path: 'tweets', key: 'tweets', shape: 'array', orderBy: 'name', label: byName, create: named({ text: 'Hi' }) },
  {
    path: 'inappmessages',
    key: 'inappmessages',
    shape: 'array',
    orderBy: 'name',
    label: byName,
    create: named({ title: 'Hi' }),
  },
  {
    path: 'categories',
    key: 'categories',
    shape: 'array',
    orderBy: 'title',
    label: (c) => String(c.title).split(' ')[0],
    create: (label, tag) => ({ title: `${label} ${tag}` }),
  },
  {
    path: 'templates',
    key: 'templates',
    shape: 'array',
    orderBy: 'name',
    label: byName,
    create: named({ html: '<div>{{ content }}</div>' }),
  },
  { path: 'segments', key: 'lists', shape: 'byId', orderBy: 'name', label: byName, create: named({}) },
  {
    path: 'campaigns',
    key: 'campaigns',
    shape: 'array',
    orderBy: 'name',
    label: byName,
    create: named({ messageId: 1 }),
  },
  {
    path: 'contacts',
    key: 'contacts',
    shape: 'contacts',
    orderBy: 'email',
    label: (c) => String(c.firstname),
    // Numeric ids, so a JavaScript object would reorder them.
    create: (label, tag, n) => ({
      id: String(900 + n),
      email: `${label.toLowerCase()}.${tag}@example.com`,
      firstname: label,
    }),
  },
];

/** Index just past the JSON string that starts at `i`. */
function endOfString(text: string, i: number): number {
  let j = i + 1;
  while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** Index just past the JSON object or array that starts at `i`. */
function endOfValue(text: string, i: number): number {
  let depth = 0;
  let j = i;
  do {
    const c = text[j];
    if (c === '"') {
      j = endOfString(text, j);
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    j++;
  } while (depth > 0);
  return j;
}

/** The keys of the object that starts at `i`, in the order they were written. */
function keysAsWritten(text: string, i: number): string[] {
  const keys: string[] = [];
  let j = i + 1;
  while (text[j] !== '}') {
    if (text[j] === ',') j++;
    const end = endOfString(text, j);
    keys.push(JSON.parse(text.slice(j, end)) as string);
    j = endOfValue(text, end + 1);
  }
  return keys;
}

describe('Mautic list shapes', () => {
  let ctx: GatewayTestContext;
  const tag = `t${Date.now().toString(36)}`;
  /** path → label → id, for the three items each endpoint lists. */
  const ids: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    ctx = await startGateway({ services: ['catalog', 'preferences', 'campaign-actions'] });
    for (const e of ENDPOINTS) {
      ids[e.path] = {};
      // Created out of alphabetical order, so ordering by name is not ordering by id.
      for (const [n, label] of ['Alpha', 'Zeta', 'Mid'].entries()) {
        const res = await ctx.api('POST', `/api/${e.path}/new`, e.create(label, tag, n));
        expect([res.status, e.path]).toEqual([201, e.path]);
        ids[e.path][label] = String(Object.values(res.body as Record<string, { id: unknown }>)[0].id);
      }
    }
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
  });

  const list = (e: Endpoint, params: string) => ctx.api('GET', `/api/${e.path}?search=${tag}&${params}`);
  const totalOf = (e: Endpoint, n: number) => (e.shape === 'contacts' ? JSON.stringify(String(n)) : String(n));

  /** The listed items' labels in the order written, after checking the layout against the endpoint's shape. */
  function labels(e: Endpoint, res: { status: number; text: string; body: any; headers: Headers }, total: number) {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Object.keys(res.body)).toEqual(['total', e.key]);
    const head = `{"total":${totalOf(e, total)},${JSON.stringify(e.key)}:`;
    expect(res.text.startsWith(head)).toBe(true);
    const items = res.body[e.key];
    if (e.shape === 'array') {
      expect(Array.isArray(items)).toBe(true);
      return (items as unknown[]).map(e.label);
    }
    expect(res.text[head.length]).toBe('{');
    const keys = keysAsWritten(res.text, head.length);
    for (const key of keys) expect(String(items[key].id)).toBe(key);
    return keys.map((key) => e.label(items[key]));
  }

  describe.each(ENDPOINTS.map((e) => [`/api/${e.path}`, e] as const))('%s', (_path, e) => {
    it(`lists ${e.shape === 'array' ? 'an array' : 'an object keyed by id'} in the order asked, with total`, async () => {
      const desc = await list(e, `orderBy=${e.orderBy}&orderByDir=desc`);
      expect(labels(e, desc, 3)).toEqual(['Zeta', 'Mid', 'Alpha']);
      // The PHP library's getList sends orderByDir=ASC.
      const asc = await list(e, `orderBy=${e.orderBy}&orderByDir=ASC`);
      expect(labels(e, asc, 3)).toEqual(['Alpha', 'Mid', 'Zeta']);
      if (e.shape !== 'array') {
        expect(Object.keys(desc.body[e.key]).sort()).toEqual(Object.values(ids[e.path]).sort());
      }
    });

    it('pages with start and limit; total counts every match', async () => {
      const page = await list(e, `orderBy=${e.orderBy}&start=1&limit=1`);
      expect(labels(e, page, 3)).toEqual(['Mid']);
      if (e.shape !== 'array') expect(Object.keys(page.body[e.key])).toEqual([ids[e.path].Mid]);
    });

    const empty = e.shape === 'contacts' ? '{}' : '[]';
    it(`answers an empty list as ${empty}`, async () => {
      const none = await ctx.api('GET', `/api/${e.path}?search=nothing${tag}`);
      expect(none.status).toBe(200);
      expect(none.text).toBe(`{"total":${totalOf(e, 0)},${JSON.stringify(e.key)}:${empty}}`);
      const pastTheEnd = await list(e, 'start=3');
      expect(pastTheEnd.text).toBe(`{"total":${totalOf(e, 3)},${JSON.stringify(e.key)}:${empty}}`);
    });
  });

  it("GET /api/contacts/{id}/segments keys the contact's segments by id, [] when none", async () => {
    const contactId = ids.contacts.Alpha;
    const none = await ctx.api('GET', `/api/contacts/${contactId}/segments`);
    expect(none.text).toBe('{"total":0,"lists":[]}');
    const [first, second] = [ids.segments.Zeta, ids.segments.Alpha];
    for (const segment of [first, second])
      expect((await ctx.api('POST', `/api/segments/${segment}/contact/${contactId}/add`)).status).toBe(200);
    const two = await ctx.api('GET', `/api/contacts/${contactId}/segments`);
    expect(two.status).toBe(200);
    expect(two.text.startsWith('{"total":2,"lists":{')).toBe(true);
    expect(Object.keys(two.body.lists).sort()).toEqual([first, second].sort());
    for (const [id, segment] of Object.entries(two.body.lists)) expect(String((segment as any).id)).toBe(id);
  });
});
