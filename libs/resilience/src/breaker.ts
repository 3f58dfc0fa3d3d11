import CircuitBreaker from 'opossum';
import { breakerMetrics } from './breaker.metrics';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  name: string;
  /** A call slower than this counts as a failure. */
  timeoutMs?: number;
  /** Percentage of failures in the rolling window that opens the breaker. */
  errorThresholdPercentage?: number;
  /** How long the breaker stays open before a half-open probe. */
  resetTimeoutMs?: number;
  rollingCountTimeoutMs?: number;
  /** Calls in the window before the threshold applies. */
  volumeThreshold?: number;
  /** Errors that say nothing about the provider's health (a bad address) do not count. */
  isHealthyError?: (error: unknown) => boolean;
  /** false: every call goes straight through (never opens), still measured. Default true. */
  enabled?: boolean;
}

export class BreakerOpenError extends Error {
  constructor(name: string) {
    super(`${name} circuit is open`);
    this.name = 'BreakerOpenError';
  }
}

/** An opossum breaker around one provider call, with its state for heartbeats. */
export class Breaker<A extends unknown[], R> {
  private readonly breaker: CircuitBreaker<A, R>;

  constructor(fn: (...args: A) => Promise<R>, options: BreakerOptions) {
    this.breaker = new CircuitBreaker(fn, {
      name: options.name,
      timeout: options.timeoutMs ?? 10_000,
      errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
      resetTimeout: options.resetTimeoutMs ?? 10_000,
      rollingCountTimeout: options.rollingCountTimeoutMs ?? 10_000,
      volumeThreshold: options.volumeThreshold ?? 5,
      errorFilter: options.isHealthyError,
      enabled: options.enabled !== false,
    });
    breakerMetrics.track(options.name, () => this.state);
    this.onStateChange((state) => breakerMetrics.transition(options.name, state));
  }

  async fire(...args: A): Promise<R> {
    const started = performance.now();
    try {
      const result = await this.breaker.fire(...args);
      breakerMetrics.call(this.breaker.name, 'ok', started);
      return result;
    } catch (error) {
      const code = (error as { code?: string }).code;
      breakerMetrics.call(
        this.breaker.name,
        code === 'EOPENBREAKER' ? 'rejected' : code === 'ETIMEDOUT' ? 'timeout' : 'error',
        started,
      );
      if (code === 'EOPENBREAKER') throw new BreakerOpenError(this.breaker.name);
      throw error;
    }
  }

  get state(): BreakerState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half-open';
    return 'closed';
  }

  /** up / degraded / down, as the channel heartbeat announces it. */
  get status(): 'up' | 'degraded' | 'down' {
    return { closed: 'up', 'half-open': 'degraded', open: 'down' }[this.state] as 'up' | 'degraded' | 'down';
  }

  onStateChange(listener: (state: BreakerState) => void): void {
    this.breaker.on('open', () => listener('open'));
    this.breaker.on('halfOpen', () => listener('half-open'));
    this.breaker.on('close', () => listener('closed'));
  }

  shutdown(): void {
    breakerMetrics.untrack(this.breaker.name);
    this.breaker.shutdown();
  }
}
