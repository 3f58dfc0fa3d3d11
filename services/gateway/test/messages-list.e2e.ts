import { startGateway, type GatewayTestContext } from './support/gateway-test';

/** Mautic-style query strings: `where[0][col]=name`. */
function qs(params: Record<string, unknown>, prefix = ''): string {
  return Object.entries(params)
    .flatMap(([key, value]) => {
      const name = prefix ? `${prefix}[${key}]` : key;
      if (value !== null && typeof value === 'object') return [qs(value as Record<string, unknown>, name)];
      return [`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`];
    })
    .join('&');
}

describe('GET /api/messages list parameters', () => {
  let ctx: GatewayTestContext;
  const ids: Record<string, number> = {};
  const names = (res: any): string[] => res.body.messages.map((m: any) => m.name);
  const list = (params: Record<string, unknown>) => ctx.api('GET', `/api/messages?${qs(params)}`);
  /** Limits a query to the five named fixtures. */
  const fixtures = { where: { 9: { col: 'name', expr: 'notLike', val: 'Filler%' } } };

  beforeAll(async () => {
    ctx = await startGateway({ services: ['catalog'] });
    const fillers = Array.from({ length: 30 }, (_, i) => ({ name: `Filler ${String(i + 1).padStart(2, '0')}` }));
    const batch = await ctx.api('POST', '/api/messages/batch/new', fillers);
    expect(batch.status).toBe(201);
    const past = '2020-01-01 00:00';
    const future = '2099-01-01 00:00';
    for (const m of [
      { name: 'Apple pie', description: 'fruit', isPublished: true },
      { name: 'Banana split', isPublished: false },
      { name: 'Cherry tart', description: '', publishUp: future },
      { name: 'Date loaf', description: 'dry', publishUp: past, publishDown: '2021-01-01 00:00' },
      { name: 'apple crumble', description: 'fruit', publishUp: past },
    ]) {
      const res = await ctx.api('POST', '/api/messages/new', m);
      expect(res.status).toBe(201);
      ids[m.name] = res.body.message.id;
    }
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('pages with start and limit (default 30; 0 = all), total counts every match', async () => {
    const first = await list({});
    expect(first.status).toBe(200);
    expect(Object.keys(first.body)).toEqual(['total', 'messages']);
    expect(first.body.total).toBe(35);
    expect(first.body.messages).toHaveLength(30);
    expect(names(first)[0]).toBe('Filler 01');

    const rest = await list({ start: 30, limit: 10 });
    expect(rest.body.total).toBe(35);
    expect(names(rest)).toEqual(['Apple pie', 'Banana split', 'Cherry tart', 'Date loaf', 'apple crumble']);

    expect((await list({ limit: 0 })).body.messages).toHaveLength(35);
    expect((await list({ limit: 2, start: 1 })).body.messages.map((m: any) => m.name)).toEqual([
      'Filler 02',
      'Filler 03',
    ]);

    const past = await list({ start: 100 });
    expect(past.body).toEqual({ total: 35, messages: [] });

    for (const bad of [{ limit: -1 }, { start: 'abc' }]) {
      const res = await list(bad);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].code).toBe(400);
    }
  });

  it('searches by substring, case-insensitively; !term negates; ids: selects', async () => {
    expect(names(await list({ search: 'apple' }))).toEqual(['Apple pie', 'apple crumble']);
    expect(names(await list({ search: 'PIE' }))).toEqual(['Apple pie']);
    const negated = await list({ search: '!filler' });
    expect(names(negated)).toEqual(['Apple pie', 'Banana split', 'Cherry tart', 'Date loaf', 'apple crumble']);
    expect(negated.body.total).toBe(5);
    const byIds = await list({ search: `ids:${ids['Date loaf']},${ids['Apple pie']}` });
    expect(names(byIds)).toEqual(['Apple pie', 'Date loaf']);
    expect((await list({ search: '100%' })).body.total).toBe(0);
  });

  it('orders by any output field, asc or desc; an unknown column is a 400', async () => {
    expect(names(await list({ ...fixtures, orderBy: 'name', orderByDir: 'desc' }))).toEqual([
      'Date loaf',
      'Cherry tart',
      'Banana split',
      'Apple pie',
      'apple crumble',
    ]);
    expect(names(await list({ ...fixtures, orderBy: 'm.id', orderByDir: 'DESC' }))[0]).toBe('apple crumble');
    expect(names(await list({ ...fixtures, orderBy: 'publishUp', orderByDir: 'asc' }))).toEqual([
      'Date loaf',
      'apple crumble',
      'Cherry tart',
      'Apple pie',
      'Banana split',
    ]);
    expect(names(await list({ ...fixtures, orderBy: 'dateAdded' }))[0]).toBe('Apple pie');

    const unknown = await list({ orderBy: 'password' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({
      errors: [
        {
          code: 400,
          message: 'orderBy: Unknown column "password".',
          details: { orderBy: ['Unknown column "password".'] },
          type: null,
        },
      ],
    });
    expect((await list({ orderBy: 'name; DROP TABLE catalog.messages' })).status).toBe(400);
    expect((await list({ orderBy: 'channels' })).status).toBe(400);
    expect((await list({ orderBy: 'name', orderByDir: 'sideways' })).status).toBe(400);
  });

  it('published=1 / publishedOnly=1 keep messages published now', async () => {
    for (const flag of ['published', 'publishedOnly']) {
      const res = await list({ ...fixtures, [flag]: 1 });
      expect(names(res)).toEqual(['Apple pie', 'apple crumble']);
    }
    expect((await list({ ...fixtures, published: 0 })).body.total).toBe(5);
  });

  it('minimal=1 returns only id, name, description, isPublished and the audit fields', async () => {
    const res = await list({ search: 'Apple pie', minimal: 1 });
    expect(res.body.messages).toEqual([
      {
        isPublished: true,
        dateAdded: expect.any(String),
        dateModified: null,
        createdBy: expect.any(Number),
        createdByUser: 'admin',
        modifiedBy: null,
        modifiedByUser: null,
        id: ids['Apple pie'],
        name: 'Apple pie',
        description: 'fruit',
      },
    ]);
    expect(Object.keys(res.body.messages[0])).toEqual([
      'isPublished',
      'dateAdded',
      'dateModified',
      'createdBy',
      'createdByUser',
      'modifiedBy',
      'modifiedByUser',
      'id',
      'name',
      'description',
    ]);
  });

  it.each([
    ['eq', { col: 'name', expr: 'eq', val: 'Apple pie' }, ['Apple pie']],
    ['neq', { col: 'isPublished', expr: 'neq', val: 1 }, ['Banana split']],
    ['lt', { col: 'publishUp', expr: 'lt', val: '2030-01-01 00:00' }, ['Date loaf', 'apple crumble']],
    ['lte', { col: 'id', expr: 'lte', val: 'ID:Banana split' }, ['Apple pie', 'Banana split']],
    ['gt', { col: 'id', expr: 'gt', val: 'ID:Cherry tart' }, ['Date loaf', 'apple crumble']],
    ['gte', { col: 'publishDown', expr: 'gte', val: '2021-01-01T00:00:00Z' }, ['Date loaf']],
    ['like', { col: 'description', expr: 'like', val: 'fr%' }, ['Apple pie', 'apple crumble']],
    [
      'notLike',
      { col: 'name', expr: 'notLike', val: '%AN%' },
      ['Apple pie', 'Cherry tart', 'Date loaf', 'apple crumble'],
    ],
    ['in', { col: 'name', expr: 'in', val: ['Cherry tart', 'Date loaf'] }, ['Cherry tart', 'Date loaf']],
    ['in (comma list)', { col: 'id', expr: 'in', val: 'ID:Apple pie,Date loaf' }, ['Apple pie', 'Date loaf']],
    [
      'notIn',
      { col: 'name', expr: 'notIn', val: ['Apple pie', 'apple crumble', 'Banana split'] },
      ['Cherry tart', 'Date loaf'],
    ],
    ['isNull', { col: 'description', expr: 'isNull' }, ['Banana split', 'Cherry tart']],
    ['isNotNull', { col: 'publishDown', expr: 'isNotNull' }, ['Date loaf']],
    ['isEmpty', { col: 'description', expr: 'isEmpty' }, ['Banana split', 'Cherry tart']],
    ['isNotEmpty', { col: 'description', expr: 'isNotEmpty' }, ['Apple pie', 'Date loaf', 'apple crumble']],
    [
      'orX',
      {
        expr: 'orX',
        val: [
          { col: 'name', expr: 'eq', val: 'Banana split' },
          { col: 'description', expr: 'eq', val: 'dry' },
        ],
      },
      ['Banana split', 'Date loaf'],
    ],
  ])('where[] %s', async (_label, clause: any, expected) => {
    const resolve = (v: unknown) =>
      typeof v === 'string' && v.startsWith('ID:')
        ? v
            .slice(3)
            .split(',')
            .map((n) => ids[n])
            .join(',')
        : v;
    const where = { ...fixtures.where, 0: { ...clause, val: resolve(clause.val) } };
    const res = await list({ where });
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(expected);
    expect(res.body.total).toBe(expected.length);
  });

  it('where[] with an unknown column, expression or a bad value is a 400, never a 500', async () => {
    for (const clause of [
      { col: 'secret', expr: 'eq', val: 1 },
      { col: 'name', expr: 'sounds_like', val: 'x' },
      { col: 'id', expr: 'eq', val: 'abc' },
      { col: 'publishUp', expr: 'gt', val: 'yesterday' },
      { col: 'isPublished', expr: 'eq', val: 'perhaps' },
      { col: 'id', expr: 'between', val: '1' },
    ]) {
      const res = await list({ where: { 0: clause } });
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 400, type: null });
      expect(res.body.errors[0].message).toMatch(/^where\.0\./);
    }
  });

  it('combines search, where, order and paging', async () => {
    const res = await list({
      search: 'a',
      where: { 0: { col: 'isPublished', expr: 'eq', val: 'true' } },
      orderBy: 'name',
      orderByDir: 'desc',
      limit: 2,
      start: 1,
    });
    expect(res.body.total).toBe(4);
    expect(names(res)).toEqual(['Cherry tart', 'Apple pie']);
  });
});
