import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Metric,
} from 'prom-client';

/**
 * The process's Prometheus registry, served as `/metrics` on HEALTH_PORT. Metrics are created
 * get-or-create by name, so a module may declare its metrics at import time, and two services
 * started in one test process share them instead of failing on a duplicate name.
 *
 *   const progress = gauge({ name: 'switchboard_shipment_sent', help: '…', labelNames: ['shipment'] });
 *   progress.set({ shipment: id }, sent);
 *
 * Names start with `switchboard_`; label values must come from a small fixed set (never an id
 * that grows with traffic, except for a bounded number of live objects such as running shipments).
 */
export const metricsRegistry = new Registry();

let processMetrics = false;

/** CPU, memory, event-loop lag and GC of the process (prom-client's defaults), once per process. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

function getOrCreate<M extends Metric>(name: string, create: () => M): M {
  return (metricsRegistry.getSingleMetric(name) as M | undefined) ?? create();
}

export function counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
  return getOrCreate(config.name, () => new Counter({ ...config, registers: [metricsRegistry] }));
}

/** `collect` (may be async) runs on every scrape: the place to read a value from elsewhere. */
export function gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
  return getOrCreate(config.name, () => new Gauge({ ...config, registers: [metricsRegistry] }));
}

export function histogram<L extends string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
  return getOrCreate(config.name, () => new Histogram({ ...config, registers: [metricsRegistry] }));
}

/** Latency buckets in seconds, 1 ms to 30 s (handlers, RPCs, provider calls, HTTP requests). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Seconds since `started` (a `performance.now()` reading). */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}

/** The exposition of `/metrics`. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
