import { counter, gauge, histogram, LATENCY_BUCKETS, secondsSince } from '@switchboard/telemetry';
import type { BreakerState } from './breaker';

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Live breakers, read at scrape time (a breaker that was shut down drops out of the gauge). */
const live = new Map<string, () => BreakerState>();

gauge({
  name: 'switchboard_breaker_state',
  help: 'Circuit breaker state per provider: 0 closed, 1 half-open, 2 open.',
  labelNames: ['provider'],
  collect() {
    this.reset();
    for (const [provider, state] of live) this.set({ provider }, STATE_VALUE[state()]);
  },
});
const transitions = counter({
  name: 'switchboard_breaker_transitions_total',
  help: 'Circuit breaker state changes per provider, by the state entered (open counts the openings).',
  labelNames: ['provider', 'state'],
});
const calls = histogram({
  name: 'switchboard_provider_call_duration_seconds',
  help: 'Provider calls through the breaker, by provider and result: ok, error, timeout, or rejected (breaker open, no call made).',
  labelNames: ['provider', 'result'],
  buckets: LATENCY_BUCKETS,
});

export const breakerMetrics = {
  track(provider: string, state: () => BreakerState): void {
    live.set(provider, state);
  },
  untrack(provider: string): void {
    live.delete(provider);
  },
  transition(provider: string, state: BreakerState): void {
    transitions.inc({ provider, state });
  },
  call(provider: string, result: 'ok' | 'error' | 'timeout' | 'rejected', started: number): void {
    calls.observe({ provider, result }, secondsSince(started));
  },
};
