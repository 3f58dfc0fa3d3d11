import { Controller, Get, Module } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { rpcContract } from '@switchboard/contracts';
import { RpcClient, RpcServer } from '@switchboard/messaging';
import { createLogger } from '@switchboard/telemetry';
import { Client } from 'pg';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

/** A remote operation whose handler hits PostgreSQL with a value past int range, as a service would. */
const overflow = rpcContract('probe', 'overflow', z.object({ value: z.string() }), z.object({ n: z.number() }));

@Controller('api/probe')
class ProbeController {
  constructor(
    private readonly ds: DataSource,
    private readonly rpc: RpcClient,
  ) {}

  /** The gateway's own database answers a data error (22003). */
  @Get('local')
  async local() {
    return this.ds.query<{ n: number }[]>('SELECT $1::int AS n', ['9999999999']);
  }

  /** Another service's database answers it, over NATS request/reply. */
  @Get('remote')
  async remote() {
    return this.rpc.call(overflow, { value: '9999999999' });
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

const mautic400 = (message: string, details: Record<string, string[]> = expect.any(Object)) => ({
  errors: [{ code: 400, message, details, type: null }],
});
const NOT_FOUND = { errors: [{ code: 404, message: 'Item was not found.', details: {}, type: null }] };

/** Issue #23 point 5: bad input is a 4xx in the Mautic shape, never a 500. */
describe('bad input answers 4xx, never 500', () => {
  let ctx: GatewayTestContext;
  let nc: NatsConnection;
  let pg: Client;
  let server: RpcServer;
  let messageId: number;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['catalog', 'preferences', 'tracker'], imports: [ProbeModule] });
    nc = await connect({ servers: ctx.env.natsUrl });
    pg = new Client({ connectionString: ctx.env.databaseUrl });
    await pg.connect();
    server = new RpcServer(nc, ctx.env.names, createLogger('probe', 'silent'));
    server.serve(overflow, async ({ value }) => {
      const { rows } = await pg.query<{ n: number }>('SELECT $1::int AS n', [value]);
      return { n: rows[0].n };
    });
    await nc.flush();
    messageId = (await ctx.api('POST', '/api/messages/new', { name: 'Probe' })).body.message.id;
  });
  afterAll(async () => {
    await server?.stop();
    await nc?.close();
    await pg?.end();
    await ctx?.close();
  });

  it('answers 404 for a path id past 2^31, as for any id that does not exist', async () => {
    for (const path of ['/api/messages/2147483648', '/api/messages/9999999999/stats', '/api/users/9999999999']) {
      const res = await ctx.api('GET', path);
      expect([path, res.status, res.body]).toEqual([path, 404, NOT_FOUND]);
    }
    expect((await ctx.api('PATCH', '/api/messages/9999999999/edit', { name: 'x' })).status).toBe(404);
    expect((await ctx.api('GET', `/api/messages/2147483647`)).status).toBe(404);
  });

  it('matches nothing, as Mautic does, for ids: values that cannot be ids (past 2^31, not numeric), on every list', async () => {
    const mixed = await ctx.api('GET', `/api/messages?search=ids:${messageId},9999999999,abc`);
    expect([mixed.status, mixed.body.total]).toEqual([200, 1]);
    for (const list of ['messages', 'emails', 'segments', 'contacts']) {
      const res = await ctx.api('GET', `/api/${list}?search=ids:99999999999,abc`);
      // Mautic counts contacts as a string.
      expect([list, res.status, res.body.total]).toEqual([list, 200, list === 'contacts' ? '0' : 0]);
    }
    expect((await ctx.api('DELETE', '/api/messages/batch/delete?ids=9999999999')).status).toBe(400);
  });

  it('answers 400 for a where value past int range', async () => {
    const res = await ctx.api('GET', '/api/messages?where[0][col]=id&where[0][expr]=gt&where[0][val]=-9999999999');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(mautic400('where.0.val: This value is out of range.'));
  });

  it('answers 400 for year 0000 in where, from and publishUp', async () => {
    const invalidDate = 'Please enter a valid date (ISO 8601 or yyyy-MM-dd HH:mm).';
    const where = await ctx.api(
      'GET',
      '/api/messages?where[0][col]=dateAdded&where[0][expr]=gt&where[0][val]=0000-01-01',
    );
    expect([where.status, where.body]).toEqual([400, mautic400(`where.0.val: ${invalidDate}`)]);
    const from = await ctx.api('GET', '/api/deliveries?from=0000-06-01T00:00:00Z');
    expect([from.status, from.body]).toEqual([400, mautic400(`from: ${invalidDate}`)]);
    const publishUp = await ctx.api('POST', '/api/messages/new', { name: 'Old', publishUp: '0000-01-01 00:00' });
    expect([publishUp.status, publishUp.body]).toEqual([400, mautic400(`publishUp: ${invalidDate}`)]);
    // A year that an offset carries past 9999 cannot be stored either.
    const late = await ctx.api('POST', '/api/messages/new', { name: 'Late', publishUp: '9999-12-31T23:30:00-05:00' });
    expect(late.status).toBe(400);
  });

  it('answers 400 for NUL bytes in a search and in names', async () => {
    const nul = 'NUL characters are not allowed.';
    for (const path of ['/api/messages', '/api/contacts', '/api/deliveries']) {
      const res = await ctx.api('GET', `${path}?search=a%00b`);
      expect([path, res.status, res.body]).toEqual([path, 400, mautic400(`search: ${nul}`)]);
    }
    const name = await ctx.api('POST', '/api/messages/new', { name: 'a\u0000b' });
    expect([name.status, name.body]).toEqual([400, mautic400(`name: ${nul}`, { name: [nul] })]);
    const contact = await ctx.api('PUT', '/api/contacts/nul-1/edit', { firstname: 'Ann', fields: { city: 'x\u0000' } });
    expect([contact.status, contact.body]).toEqual([400, mautic400(`fields.city: ${nul}`)]);
  });

  it('answers 400 for a deliveries cursor that overflows', async () => {
    const res = await ctx.api('GET', `/api/deliveries?after=${'9'.repeat(60)}`);
    expect([res.status, res.body]).toEqual([400, mautic400('after: Invalid cursor.')]);
  });

  it('answers 400 for a JSON body nested 10,000 deep, and stays responsive', async () => {
    for (const raw of ['['.repeat(10_000) + ']'.repeat(10_000), '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)]) {
      const res = await ctx.api('POST', '/api/messages/new', undefined, { raw });
      expect([res.status, res.body]).toEqual([400, mautic400('The request is nested too deeply (at most 32 levels).')]);
    }
    expect((await ctx.api('GET', `/api/messages/${messageId}`)).status).toBe(200);
  });

  it('answers 400 for a PostgreSQL data error in the gateway or in a service behind NATS', async () => {
    for (const path of ['/api/probe/local', '/api/probe/remote']) {
      const res = await ctx.api('GET', path);
      expect([path, res.status, res.body]).toEqual([path, 400, mautic400('A number is out of range.', {})]);
    }
  });
});
