import { backoffDelay, Breaker, BreakerOpenError, jitter, retry } from './index';

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(backoffDelay(1, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, () => 1)).toBe(1_000);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });
});

describe('retry', () => {
  const noSleep = () => Promise.resolve();

  it('retries until success', async () => {
    let calls = 0;
    const sut = await retry(
      async () => (++calls < 3 ? Promise.reject(new Error('flaky')) : 'ok'),
      { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 },
      undefined,
      noSleep,
    );
    expect(sut).toBe('ok');
    expect(calls).toBe(3);
  });

  it('stops at a non-retryable error and when attempts run out', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('permanent');
        },
        { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 },
        () => false,
        noSleep,
      ),
    ).rejects.toThrow('permanent');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('down');
        },
        { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
        undefined,
        noSleep,
      ),
    ).rejects.toThrow('down');
    expect(calls).toBe(3);
  });
});

describe('Breaker', () => {
  it('opens after failures, rejects fast while open, and closes after a good half-open probe', async () => {
    let healthy = false;
    const sut = new Breaker(
      async () => {
        if (!healthy) throw new Error('provider down');
        return 'sent';
      },
      { name: 'test', volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 100 },
    );
    await expect(sut.fire()).rejects.toThrow('provider down');
    await expect(sut.fire()).rejects.toThrow('provider down');
    expect(sut.status).toBe('down');
    await expect(sut.fire()).rejects.toBeInstanceOf(BreakerOpenError);
    await new Promise((r) => setTimeout(r, 150));
    expect(sut.status).toBe('degraded');
    healthy = true;
    await expect(sut.fire()).resolves.toBe('sent');
    expect(sut.status).toBe('up');
    sut.shutdown();
  });

  it('does not count errors that say nothing about the provider', async () => {
    const sut = new Breaker(
      async () => {
        throw Object.assign(new Error('invalid address'), { permanent: true });
      },
      {
        name: 'test2',
        volumeThreshold: 1,
        isHealthyError: (e) => (e as { permanent?: boolean }).permanent === true,
      },
    );
    for (let i = 0; i < 5; i++) await expect(sut.fire()).rejects.toThrow('invalid address');
    expect(sut.status).toBe('up');
    sut.shutdown();
  });

  it('times out slow calls', async () => {
    const sut = new Breaker(() => new Promise((r) => setTimeout(r, 500)), { name: 'slow', timeoutMs: 50 });
    await expect(sut.fire()).rejects.toThrow(/Timed out/);
    sut.shutdown();
  });
});

describe('jitter', () => {
  it('spreads a delay uniformly over its upper half', () => {
    expect(jitter(1_000, () => 0)).toBe(500);
    expect(jitter(1_000, () => 0.999)).toBe(1_000);
    expect(jitter(1_000, () => 0.5)).toBe(750);
  });
});
