import { rawRequest } from './support/raw-http';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

/** PHP's urlencode: RFC 1738, so a space is `+` and every character but `A-Za-z0-9_.-` is escaped. */
const urlencode = (s: string) =>
  encodeURIComponent(s)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/**
 * PHP's http_build_query($query, '', '&'), as Mautic's api-library builds a GET's query string
 * (AbstractAuth::makeRequest): nested keys as `where[0][col]`, bracket-escaped, nulls left out.
 */
function httpBuildQuery(params: Record<string, unknown>, prefix = ''): string {
  return Object.entries(params)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => {
      const name = prefix ? `${prefix}[${key}]` : key;
      if (typeof value === 'object') return httpBuildQuery(value as Record<string, unknown>, name);
      return `${urlencode(name)}=${urlencode(typeof value === 'boolean' ? (value ? '1' : '0') : String(value))}`;
    })
    .join('&');
}

/** A clause as the api-library's WhereBuilder::addClause makes it (`val` null for isNull and the like). */
const clause = (col: string, expr: string, val: unknown = null) => ({ col, expr, val });

/** `GET /api/contacts?where[i][col|expr|val]` through the gateway and the real preferences service (DESIGN §7.3). */
describe('GET /api/contacts with where[], as Mautic clients send it', () => {
  let ctx: GatewayTestContext;
  /** Between the dateAdded of the first two contacts and that of the last two, as Mautic writes dates. */
  let between: string;

  const list = async (params: Record<string, unknown>) => {
    const path = `/api/contacts?${httpBuildQuery(params)}`;
    const res = await rawRequest(ctx.baseUrl, {
      method: 'GET',
      path,
      headerLines: [`Authorization: ${ctx.adminAuth}`, 'Accept: application/json', 'Expect:'],
    });
    return { status: res.status, text: res.body, body: JSON.parse(res.body), path };
  };
  const ids = (body: { contacts: Record<string, { id: string }> }) => Object.keys(body.contacts);

  beforeAll(async () => {
    ctx = await startGateway({ services: ['preferences'] });
    const put = async (id: string, body: Record<string, unknown>) =>
      expect((await ctx.api('PUT', `/api/contacts/${id}/edit`, body)).status).toBe(201);
    await put('w-ada', { email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace', city: 'London', score: 12 });
    await put('w-bob', { email: 'bob@example.org', firstname: 'Bob' });
    // dateAdded is kept to the microsecond and Mautic's dates to the second: a second apart.
    await new Promise((r) => setTimeout(r, 1100));
    between = new Date().toISOString().slice(0, 19).replace('T', ' ');
    await new Promise((r) => setTimeout(r, 1100));
    await put('w-cyd', { email: 'cyd@example.com', firstname: 'Cyd', lastname: 'Charisse', city: 'Prague', score: 7 });
    await put('w-dan', { email: 'dan@example.net', firstname: 'Dan', city: 'Prague', score: '9' });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('sends the query string the api-library sends', async () => {
    const res = await list({ where: [clause('email', 'eq', 'bob@example.org'), clause('lastname', 'isNull')] });
    expect(res.path).toBe(
      '/api/contacts?where%5B0%5D%5Bcol%5D=email&where%5B0%5D%5Bexpr%5D=eq&where%5B0%5D%5Bval%5D=bob%40example.org' +
        '&where%5B1%5D%5Bcol%5D=lastname&where%5B1%5D%5Bexpr%5D=isNull',
    );
    expect(res.status).toBe(200);
    expect(res.body.total).toBe('1');
    expect(ids(res.body)).toEqual(['w-bob']);
    expect(res.body.contacts['w-bob']).toMatchObject({ id: 'w-bob', email: 'bob@example.org' });
  });

  it.each([
    ['eq', [clause('email', 'eq', 'cyd@example.com')], ['w-cyd']],
    ['neq', [clause('firstname', 'neq', 'Ada')], ['w-bob', 'w-cyd', 'w-dan']],
    ['like (Mautic passes the pattern as given)', [clause('email', 'like', '%@example.com')], ['w-ada', 'w-cyd']],
    ['notLike', [clause('l.email', 'notLike', '%@example.com')], ['w-bob', 'w-dan']],
    [
      'in (the library sends an array)',
      [clause('email', 'in', ['ada@example.com', 'dan@example.net'])],
      ['w-ada', 'w-dan'],
    ],
    ['in (a comma-separated string, as Mautic reads one)', [clause('firstname', 'in', 'Bob,Cyd')], ['w-bob', 'w-cyd']],
    ['notIn', [clause('id', 'notIn', ['w-ada', 'w-bob'])], ['w-cyd', 'w-dan']],
    ['isNull', [clause('lastname', 'isNull')], ['w-bob', 'w-dan']],
    ['isNotNull', [clause('lastname', 'isNotNull')], ['w-ada', 'w-cyd']],
    ['a custom field, as Mautic names its column', [clause('city', 'eq', 'Prague')], ['w-cyd', 'w-dan']],
    ['a numeric custom field compares as a number', [clause('score', 'gt', '8')], ['w-ada', 'w-dan']],
    ['a custom field with the table alias, isNull where a contact has none', [clause('l.city', 'isNull')], ['w-bob']],
    [
      'orX',
      [{ expr: 'orX', val: [clause('firstname', 'eq', 'Ada'), clause('email', 'like', '%.net')] }],
      ['w-ada', 'w-dan'],
    ],
  ])('where %s', async (_label, where, expected) => {
    const res = await list({ where });
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(expected);
    expect(res.body.total).toBe(String(expected.length));
  });

  it('compares dateAdded with gt and lt, by the API name or the column name', async () => {
    const after = await list({ where: [clause('dateAdded', 'gt', between)] });
    expect(ids(after.body)).toEqual(['w-cyd', 'w-dan']);
    const before = await list({ where: [clause('date_added', 'lt', between)] });
    expect(ids(before.body)).toEqual(['w-ada', 'w-bob']);
    const range = await list({ where: [clause('l.date_added', 'between', ['2000-01-01 00:00:00', between])] });
    expect(ids(range.body)).toEqual(['w-ada', 'w-bob']);
  });

  it('ANDs two clauses, and combines them with search, orderBy and paging; total counts the filtered set', async () => {
    const both = await list({ where: [clause('email', 'like', '%@example.com'), clause('dateAdded', 'gt', between)] });
    expect(ids(both.body)).toEqual(['w-cyd']);
    expect(both.body.total).toBe('1');

    const paged = await list({
      search: 'example',
      start: 0,
      limit: 1,
      orderBy: 'email',
      orderByDir: 'DESC',
      where: [clause('city', 'eq', 'Prague'), clause('firstname', 'isNotNull')],
    });
    expect(paged.status).toBe(200);
    expect(paged.body.total).toBe('2');
    expect(ids(paged.body)).toEqual(['w-dan']);

    const rest = await list({
      start: 1,
      limit: 1,
      orderBy: 'email',
      orderByDir: 'DESC',
      where: [clause('city', 'eq', 'Prague')],
    });
    expect(ids(rest.body)).toEqual(['w-cyd']);
    expect(rest.body.total).toBe('2');

    const negated = await list({ search: '!cyd', where: [clause('city', 'eq', 'Prague')] });
    expect(ids(negated.body)).toEqual(['w-dan']);
  });

  it('answers no match as Mautic does: {"total":"0","contacts":{}}', async () => {
    const res = await list({ where: [clause('email', 'eq', 'unicorn')] });
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"total":"0","contacts":{}}');
  });

  it('binds values: SQL in a value is only text', async () => {
    for (const val of ["' OR '1'='1", "x%' OR 1=1 --", "ada@example.com'; DROP TABLE preferences.contacts; --"]) {
      const res = await list({ where: [clause('email', 'eq', val)] });
      expect(res.status).toBe(200);
      expect(res.body.total).toBe('0');
    }
    expect((await list({})).body.total).toBe('4');
  });

  it('an unknown column or expression, or a bad value, is a 400 in Mautic error shape, never ignored', async () => {
    const messages: string[] = [];
    for (const where of [
      [clause('secret', 'eq', '1')],
      [clause('email; DROP TABLE preferences.contacts', 'eq', '1')],
      [clause('points', 'lt', '5')],
      [clause('email', 'sounds_like', 'ada')],
      [clause('email', 'formula', '1=1')],
      [clause('dateAdded', 'gt', 'yesterday')],
      [clause('dateAdded', 'between', between)],
      [{ expr: 'eq', val: 'ada@example.com' }],
      [clause('email', 'eq', 'ada@example.com'), { col: 'email', val: 'x' }],
    ]) {
      const res = await list({ where });
      expect({ where, status: res.status }).toEqual({ where, status: 400 });
      expect(res.body.errors[0]).toMatchObject({ code: 400, type: null });
      expect(res.body.errors[0].message).toMatch(/where/);
      messages.push(res.body.errors[0].message);
    }
    expect(messages.slice(0, 2)).toEqual([
      'where.0.col: Unknown column "secret".',
      expect.stringMatching(/^where\.0\.col: Unknown column/),
    ]);
  });
});
