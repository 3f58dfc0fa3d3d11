import { startGateway, type GatewayTestContext } from './support/gateway-test';

/** What Mautic's batch tests send for each kind: two new items, an edit of both, then a batch delete. */
const KINDS = [
  {
    path: 'messages',
    item: 'message',
    list: 'messages',
    make: (n: string) => ({ name: n }),
    edit: { description: 'e' },
  },
  {
    path: 'emails',
    item: 'email',
    list: 'emails',
    make: (n: string) => ({ name: n, subject: 'Hi', customHtml: '<p>Hi</p>' }),
    edit: { subject: 'Edited' },
  },
  {
    path: 'smses',
    item: 'sms',
    list: 'smses',
    make: (n: string) => ({ name: n, message: 'Hi' }),
    edit: { message: 'e' },
  },
  {
    path: 'notifications',
    item: 'notification',
    list: 'notifications',
    make: (n: string) => ({ name: n, heading: 'Hey', message: 'Hi' }),
    edit: { heading: 'Edited' },
  },
  {
    path: 'tweets',
    item: 'tweet',
    list: 'tweets',
    make: (n: string) => ({ name: n, text: 'Hi' }),
    edit: { text: 'e' },
  },
  {
    path: 'templates',
    item: 'template',
    list: 'templates',
    make: (n: string) => ({ name: n, html: '<html><body>{{ content }}</body></html>' }),
    edit: { description: 'e' },
  },
  {
    path: 'categories',
    item: 'category',
    list: 'categories',
    make: (n: string) => ({ title: n }),
    edit: { description: 'e' },
  },
] as const;

describe('batch delete answers with the items as they were, ids included', () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['catalog'] });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it.each(KINDS)('$path: batch new, batch edit, batch delete with ids; a single delete answers id null', async (k) => {
    const created = await ctx.api('POST', `/api/${k.path}/batch/new`, [k.make('B1'), k.make('B2'), k.make('B3')]);
    expect(created.status).toBe(201);
    expect(created.body.statusCodes).toEqual([201, 201, 201]);
    const ids: number[] = created.body[k.list].map((i: any) => i.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);

    const edited = await ctx.api(
      'PATCH',
      `/api/${k.path}/batch/edit`,
      ids.slice(0, 2).map((id) => ({ id, ...k.edit })),
    );
    expect(edited.status).toBe(200);
    expect(edited.body.statusCodes).toEqual([200, 200]);
    expect(edited.body[k.list]).toEqual(ids.slice(0, 2).map((id) => expect.objectContaining({ id, ...k.edit })));

    const deleted = await ctx.api('DELETE', `/api/${k.path}/batch/delete?ids=${ids[0]},${ids[1]},987654`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.statusCodes).toEqual([200, 200, 404]);
    expect(deleted.body[k.list]).toEqual(edited.body[k.list].map((i: any) => expect.objectContaining(i)));
    expect(deleted.body[k.list].map((i: any) => i.id)).toEqual(ids.slice(0, 2));
    expect(deleted.body.errors).toEqual({ 2: { code: 404, message: 'Item was not found.', details: {}, type: null } });
    for (const id of ids.slice(0, 2)) expect((await ctx.api('GET', `/api/${k.path}/${id}`)).status).toBe(404);

    const bracket = await ctx.api('DELETE', `/api/${k.path}/batch/delete?ids[]=${ids[2]}`);
    expect(bracket.body).toEqual({ [k.list]: [expect.objectContaining({ id: ids[2] })], statusCodes: [200] });

    const single = (await ctx.api('POST', `/api/${k.path}/new`, k.make('S'))).body[k.item];
    const gone = await ctx.api('DELETE', `/api/${k.path}/${single.id}/delete`);
    expect(gone.status).toBe(200);
    expect(gone.body[k.item]).toMatchObject({ id: null });
  });
});
