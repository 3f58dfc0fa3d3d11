import { startGateway, type GatewayTestContext } from './support/gateway-test';

describe('/api/messages batch endpoints', () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['catalog'] });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  const newBatch = (items: unknown) => ctx.api('POST', '/api/messages/batch/new', items);

  it('POST batch/new: 201, the created messages, a status per item and errors keyed by index', async () => {
    const res = await newBatch([
      { name: 'One' },
      { description: 'no name' },
      { name: 'Three', channels: { fax: {} } },
      { name: 'Four' },
    ]);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(['messages', 'statusCodes', 'errors']);
    expect(res.body.statusCodes).toEqual([201, 400, 400, 201]);
    expect(res.body.messages.map((m: any) => m.name)).toEqual(['One', 'Four']);
    expect(Object.keys(res.body.errors)).toEqual(['1', '2']);
    expect(res.body.errors['1']).toEqual({
      code: 400,
      message: 'name: A name is required.',
      details: { name: ['A name is required.'] },
      type: null,
    });

    const clean = await newBatch([{ name: 'Five' }]);
    expect(clean.body).toEqual({ messages: [expect.objectContaining({ name: 'Five' })], statusCodes: [201] });
  });

  it('takes at most 200 items', async () => {
    const tooMany = await newBatch(Array.from({ length: 201 }, (_, i) => ({ name: `m${i}` })));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0]).toMatchObject({
      code: 400,
      message: 'A max of 200 entities are supported at a time.',
      type: null,
    });

    const max = await newBatch(Array.from({ length: 200 }, (_, i) => ({ name: `m${i}` })));
    expect(max.status).toBe(201);
    expect(max.body.messages).toHaveLength(200);
    expect(new Set(max.body.statusCodes)).toEqual(new Set([201]));

    const ids = max.body.messages.map((m: any) => m.id);
    const tooManyIds = await ctx.api('DELETE', `/api/messages/batch/delete?ids=${[...ids, 1].join(',')}`);
    expect(tooManyIds.status).toBe(400);
    const deleted = await ctx.api('DELETE', `/api/messages/batch/delete?ids=${ids.join(',')}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.messages).toHaveLength(200);

    expect(
      (
        await ctx.api(
          'PATCH',
          '/api/messages/batch/edit',
          Array.from({ length: 201 }, () => ({ id: 1 })),
        )
      ).status,
    ).toBe(400);
    expect((await newBatch({ name: 'not a list' })).status).toBe(400);
  });

  it('PATCH batch/edit: 200 per edited item, 404 for a missing id, 400 without an id or with bad input', async () => {
    const [a, b] = (await newBatch([{ name: 'A', description: 'keep me' }, { name: 'B' }])).body.messages;
    const res = await ctx.api('PATCH', '/api/messages/batch/edit', [
      { id: a.id, name: 'A2' },
      { id: 999999, name: 'ghost' },
      { name: 'no id' },
      { id: b.id, name: '' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.statusCodes).toEqual([200, 404, 400, 400]);
    expect(res.body.messages).toEqual([expect.objectContaining({ id: a.id, name: 'A2', description: 'keep me' })]);
    expect(res.body.errors['1']).toEqual({ code: 404, message: 'Item was not found.', details: {}, type: null });
    expect(Object.keys(res.body.errors)).toEqual(['1', '2', '3']);
  });

  it('PUT batch/edit: replaces (clearing omitted fields), creates missing ids (201)', async () => {
    const [a] = (await newBatch([{ name: 'A', description: 'gone after PUT' }])).body.messages;
    const res = await ctx.api('PUT', '/api/messages/batch/edit', [
      { id: a.id, name: 'A3' },
      { id: 888888, name: 'Created by PUT' },
      { id: a.id },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.statusCodes).toEqual([200, 201, 400]);
    expect(res.body.messages[0]).toMatchObject({ id: a.id, name: 'A3', description: null });
    expect(res.body.messages[1]).toMatchObject({ name: 'Created by PUT', id: expect.any(Number) });
  });

  it('DELETE batch/delete: ?ids=1,2 or ?ids[]=, the messages as they were (ids kept), 404 for missing', async () => {
    const [a, b, c] = (await newBatch([{ name: 'D1' }, { name: 'D2' }, { name: 'D3' }])).body.messages;
    const res = await ctx.api('DELETE', `/api/messages/batch/delete?ids=${a.id},${b.id},777777`);
    expect(res.status).toBe(200);
    expect(res.body.statusCodes).toEqual([200, 200, 404]);
    expect(res.body.messages.map((m: any) => [m.id, m.name])).toEqual([
      [a.id, 'D1'],
      [b.id, 'D2'],
    ]);
    expect(res.body.errors['2'].code).toBe(404);

    const bracket = await ctx.api('DELETE', `/api/messages/batch/delete?ids[]=${c.id}`);
    expect(bracket.body).toEqual({ messages: [expect.objectContaining({ id: c.id, name: 'D3' })], statusCodes: [200] });
    expect((await ctx.api('GET', `/api/messages/${c.id}`)).status).toBe(404);

    expect((await ctx.api('DELETE', '/api/messages/batch/delete')).status).toBe(400);
    expect((await ctx.api('DELETE', '/api/messages/batch/delete?ids=a,b')).status).toBe(400);
  });
});
