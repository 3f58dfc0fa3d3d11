import { PollLoop } from './poll-loop';

/** Resolves once `predicate` holds, checking after every macrotask (the loop's passes are async). */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setImmediate(resolve));
}

describe('PollLoop', () => {
  // An hour between passes: a second pass within the test can only come from a nudge.
  const HOUR = 3_600_000;

  it('runs a pass at start, and another when nudged during the pause', async () => {
    let passes = 0;
    const sut = new PollLoop(() => Promise.resolve(passes++), { intervalMs: HOUR, onError: () => undefined });
    sut.start();
    await until(() => passes === 1);
    sut.nudge();
    await until(() => passes === 2);
    await sut.stop();
    expect(passes).toBe(2);
  });

  it('runs the next pass at once when nudged while a pass is under way', async () => {
    let passes = 0;
    let release!: () => void;
    const sut = new PollLoop(
      () => {
        passes++;
        return passes === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
      },
      { intervalMs: HOUR, onError: () => undefined },
    );
    sut.start();
    await until(() => passes === 1);
    sut.nudge();
    release();
    await until(() => passes === 2);
    await sut.stop();
  });

  it('reports a failed pass and keeps going', async () => {
    const errors: unknown[] = [];
    let passes = 0;
    const sut = new PollLoop(() => (++passes === 1 ? Promise.reject(new Error('database away')) : Promise.resolve()), {
      intervalMs: HOUR,
      onError: (error) => errors.push(error),
    });
    sut.start();
    await until(() => errors.length === 1);
    sut.nudge();
    await until(() => passes === 2);
    await sut.stop();
    expect((errors[0] as Error).message).toBe('database away');
  });

  it('stops after the pass under way, and no pass starts after', async () => {
    let passes = 0;
    let release!: () => void;
    const sut = new PollLoop(
      () => {
        passes++;
        return new Promise<void>((resolve) => (release = resolve));
      },
      { intervalMs: HOUR, onError: () => undefined },
    );
    sut.start();
    await until(() => passes === 1);
    sut.nudge();
    const stopped = sut.stop();
    release();
    await stopped;
    expect(passes).toBe(1);
  });
});
