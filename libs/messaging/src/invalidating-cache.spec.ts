import { InvalidatingCache } from './invalidating-cache';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('InvalidatingCache', () => {
  it('loads a key once while a load is under way, then serves it from memory', async () => {
    const sut = new InvalidatingCache<string>({ ttlMs: 60_000, maxEntries: 10 });
    const load = jest.fn(() => Promise.resolve('v1'));
    const [a, b] = await Promise.all([sut.get('k', load), sut.get('k', load)]);
    expect([a, b, await sut.get('k', load)]).toEqual(['v1', 'v1', 'v1']);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('answers but does not keep a load that overlapped an invalidation', async () => {
    const sut = new InvalidatingCache<string>({ ttlMs: 60_000, maxEntries: 10 });
    const slow = deferred<string>();
    const first = sut.get('k', () => slow.promise);
    sut.delete('other');
    slow.resolve('stale');
    expect(await first).toBe('stale');
    expect(await sut.get('k', () => Promise.resolve('fresh'))).toBe('fresh');
  });

  it('drops what deleteWhere and clear name, and reloads after the TTL', async () => {
    const sut = new InvalidatingCache<number>({ ttlMs: 60_000, maxEntries: 10 });
    await sut.get('email:1', () => Promise.resolve(1));
    await sut.get('sms:1', () => Promise.resolve(2));
    sut.deleteWhere((key) => key.startsWith('email:'));
    expect(await sut.get('email:1', () => Promise.resolve(10))).toBe(10);
    expect(await sut.get('sms:1', () => Promise.resolve(20))).toBe(2);
    sut.clear();
    expect(await sut.get('sms:1', () => Promise.resolve(20))).toBe(20);

    const expiring = new InvalidatingCache<number>({ ttlMs: 0, maxEntries: 10 });
    await expiring.get('k', () => Promise.resolve(1));
    expect(await expiring.get('k', () => Promise.resolve(2))).toBe(2);
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const sut = new InvalidatingCache<number>({ ttlMs: 60_000, maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) await sut.get(key, () => Promise.resolve(1));
    expect(await sut.get('a', () => Promise.resolve(2))).toBe(2);
    expect(await sut.get('c', () => Promise.resolve(2))).toBe(1);
  });

  it('loads only the missing keys of a batch, in one call', async () => {
    const sut = new InvalidatingCache<number>({ ttlMs: 60_000, maxEntries: 10 });
    await sut.get('1', () => Promise.resolve(1));
    const loadMany = jest.fn((missing: string[]) => Promise.resolve(new Map(missing.map((k) => [k, Number(k) * 10]))));
    const found = await sut.getMany(['1', '2', '3', '2'], loadMany);
    expect(loadMany).toHaveBeenCalledWith(['2', '3']);
    expect([...found.entries()].sort()).toEqual([
      ['1', 1],
      ['2', 20],
      ['3', 30],
    ]);
    expect((await sut.getMany(['2', '3'], loadMany)).get('3')).toBe(30);
    expect(loadMany).toHaveBeenCalledTimes(1);
  });
});
