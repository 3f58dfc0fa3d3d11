import { Injectable, Module } from '@nestjs/common';
import { z } from 'zod';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { DomainError, rpcContract } from '@switchboard/contracts';
import { RpcClient, RpcHandler } from '@switchboard/messaging';
import { createLogger } from '@switchboard/telemetry';
import { createTestEnv, startTestService, type TestEnv } from '@switchboard/testing';
import { ServiceKitModule, type RunningService } from '../src';

class CreateThings1700000000000 implements MigrationInterface {
  name = 'CreateThings1700000000000';
  async up(q: QueryRunner) {
    await q.query('CREATE TABLE kit_test.things (id serial PRIMARY KEY, name text NOT NULL)');
  }
  async down(q: QueryRunner) {
    await q.query('DROP TABLE kit_test.things');
  }
}

const addThing = rpcContract(
  'kittest',
  'things.add',
  z.object({ name: z.string().min(1) }),
  z.object({ id: z.number() }),
);

@Injectable()
class ThingsRpc {
  constructor(private readonly ds: DataSource) {}

  @RpcHandler(addThing)
  async add(req: { name: string }) {
    if (req.name === 'taken')
      throw new DomainError(DomainError.validation({ name: ['taken'] }).code, 'name: taken', { name: ['taken'] });
    const [row] = await this.ds.query('INSERT INTO kit_test.things (name) VALUES ($1) RETURNING id', [req.name]);
    return { id: row.id as number };
  }
}

describe('a service on the kit (real NATS + PostgreSQL)', () => {
  let env: TestEnv;
  let svc: RunningService;

  beforeAll(async () => {
    env = await createTestEnv();
    @Module({
      imports: [
        ServiceKitModule.forRoot({
          service: 'kittest',
          config: env.config,
          logger: createLogger('kittest', 'silent'),
          database: { schema: 'kit_test', migrations: [CreateThings1700000000000] },
        }),
      ],
      providers: [ThingsRpc],
    })
    class KitTestModule {}
    svc = await startTestService({ service: 'kittest', module: KitTestModule });
  });

  afterAll(async () => {
    await svc?.close();
    await env.cleanup();
  });

  it('serves /health and /ready once migrated', async () => {
    const health = await fetch(`http://127.0.0.1:${svc.healthPort}/health`);
    expect(health.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${svc.healthPort}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { started: 'ok', nats: 'ok', database: 'ok' } });
    const [{ count }] = await svc.app.get(DataSource).query('SELECT count(*)::int AS count FROM kit_test.migrations');
    expect(count).toBe(1);
  });

  it('answers request/reply with data or a typed error', async () => {
    const client = svc.app.get(RpcClient);
    await expect(client.call(addThing, { name: 'lamp' })).resolves.toEqual({ id: 1 });
    await expect(client.call(addThing, { name: '' })).rejects.toMatchObject({
      code: 'VALIDATION',
      details: { name: [expect.any(String)] },
    });
    await expect(client.call(addThing, { name: 'taken' })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: 'name: taken',
    });
    const other = rpcContract('nobody', 'home', z.object({}), z.object({}));
    await expect(client.call(other, {}, { timeoutMs: 500 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
