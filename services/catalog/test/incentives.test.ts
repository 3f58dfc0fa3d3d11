import {
  catalogContentGet,
  catalogIncentiveCodesAdd,
  catalogIncentivesClaim,
  catalogItemDelete,
  catalogItemGet,
  catalogItemSave,
  type Actor,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import type { RunningService } from '@switchboard/service-kit';
import { childEnv, createTestEnv, startTestService, type TestEnv } from '@switchboard/testing';
import { loadCatalogConfig } from '../src/catalog.config';
import { createCatalogModule } from '../src/catalog.module';

const actor: Actor = { id: 1, name: 'tester' };

describe('incentives: coupon pools and one code per send (real PostgreSQL + NATS)', () => {
  let env: TestEnv;
  const services: RunningService[] = [];
  let rpc: RpcClient;

  const newPool = async (input: Record<string, unknown> = {}) =>
    (await rpc.call(catalogItemSave, { kind: 'incentive', mode: 'create', input: { name: 'Pool', ...input }, actor }))
      .item as { id: number; codesLeft: number };
  const codes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const addCodes = async (id: number, all: string[]) => {
    for (let i = 0; i < all.length; i += 1000)
      await rpc.call(catalogIncentiveCodesAdd, { id, codes: all.slice(i, i + 1000) });
  };
  // Correctness under contention is the point here, not speed: a loaded machine may take a while.
  const claim = (incentiveId: number, sendIds: string[], client = rpc) =>
    client.call(
      catalogIncentivesClaim,
      { claims: sendIds.map((sendId) => ({ incentiveId, sendId })) },
      { timeoutMs: 60_000 },
    );

  beforeAll(async () => {
    env = await createTestEnv();
    // Two catalog instances: claims reach both, as they would behind one NATS queue group.
    for (let i = 0; i < 2; i++) {
      const config = loadCatalogConfig(childEnv(env, { LOG_LEVEL: 'silent' }));
      services.push(await startTestService({ service: 'catalog', module: createCatalogModule(config) }));
    }
    rpc = services[0].app.get(RpcClient);
  });
  afterAll(async () => {
    for (const s of services) await s.close();
    await env?.cleanup();
  });

  it('counts codes, refuses duplicates, and a pool in use by content cannot be deleted', async () => {
    const pool = await newPool({ expiresAt: '2099-01-01 00:00' });
    expect(pool).toMatchObject({ codesLeft: 0, codesIssued: 0, expiresAt: '2099-01-01T00:00:00+00:00' });
    expect(await rpc.call(catalogIncentiveCodesAdd, { id: pool.id, codes: ['A', 'B', 'A'] })).toEqual({
      added: 2,
      duplicates: 1,
    });
    expect(await rpc.call(catalogIncentiveCodesAdd, { id: pool.id, codes: ['B', 'C'] })).toEqual({
      added: 1,
      duplicates: 1,
    });
    expect((await rpc.call(catalogItemGet, { kind: 'incentive', id: pool.id })).item).toMatchObject({ codesLeft: 3 });

    const sms = await rpc.call(catalogItemSave, {
      kind: 'sms',
      mode: 'create',
      input: { name: 'Coupon', message: 'Your code: {{ incentive.code }}', incentiveId: pool.id },
      actor,
    });
    expect(sms.item.incentiveId).toBe(pool.id);
    expect((await rpc.call(catalogContentGet, { type: 'sms', id: sms.item.id as number })).fields.incentiveId).toBe(
      pool.id,
    );
    await expect(rpc.call(catalogItemDelete, { kind: 'incentive', id: pool.id })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(
      rpc.call(catalogItemSave, {
        kind: 'sms',
        mode: 'create',
        input: { name: 'Nowhere', message: '{{ incentive.code }}', incentiveId: 999999 },
        actor,
      }),
    ).rejects.toMatchObject({ details: { incentiveId: ['Incentive not found.'] } });
  });

  it('1,000 sends claiming concurrently from a pool of 900 (batches racing on two instances): 900 distinct codes, 100 none, each send keeps its code', async () => {
    const pool = await newPool();
    await addCodes(pool.id, codes('C', 900));
    const sends = Array.from({ length: 1000 }, (_, i) => `send-${i}`);
    const clients = services.map((s) => s.app.get(RpcClient));
    // Overlapping batches of different sizes: every send is claimed by two batches at once.
    const batches: string[][] = [];
    for (let i = 0; i < 1000; i += 50) batches.push(sends.slice(i, i + 50));
    for (let i = 25; i < 1000; i += 125) batches.push(sends.slice(i, i + 125));
    for (let i = 0; i < 1000; i += 30) batches.push(sends.slice(i, i + 30));
    const replies = await Promise.all(batches.map((b, i) => claim(pool.id, b, clients[i % clients.length])));

    const bySend = new Map<string, Set<string | null>>();
    for (const { codes: got } of replies)
      for (const c of got) bySend.set(c.sendId, (bySend.get(c.sendId) ?? new Set()).add(c.code));
    // Every send got one answer, the same from every batch that asked.
    expect(bySend.size).toBe(1000);
    for (const answers of bySend.values()) expect(answers.size).toBe(1);
    const issued = [...bySend.values()].map((a) => [...a][0]).filter((c): c is string => c !== null);
    expect(issued).toHaveLength(900);
    expect(new Set(issued).size).toBe(900);

    // A redelivery or a re-route asks again: the same code, and nothing else is used up.
    const again = await claim(pool.id, sends.slice(0, 200));
    for (const c of again.codes) expect(c.code).toBe([...bySend.get(c.sendId)!][0]);
    expect((await rpc.call(catalogItemGet, { kind: 'incentive', id: pool.id })).item).toMatchObject({
      codesLeft: 0,
      codesIssued: 900,
    });
  }, 180_000);

  it('an expired pool gives no code, even with codes left; a send that had one keeps it', async () => {
    const pool = await newPool();
    await addCodes(pool.id, ['X1', 'X2']);
    expect((await claim(pool.id, ['early'])).codes[0].code).toBe('X1');
    await rpc.call(catalogItemSave, {
      kind: 'incentive',
      mode: 'patch',
      id: pool.id,
      input: { expiresAt: '2020-01-01 00:00' },
      actor,
    });
    const { codes: got } = await claim(pool.id, ['late', 'early']);
    expect(got).toEqual([
      { sendId: 'late', incentiveId: pool.id, code: null },
      { sendId: 'early', incentiveId: pool.id, code: 'X1' },
    ]);
  });
});
