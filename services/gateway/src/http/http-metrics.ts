import type { NextFunction, Request, Response } from 'express';
import { trace } from '@opentelemetry/api';
import { counter, histogram, LATENCY_BUCKETS, secondsSince } from '@switchboard/telemetry';

const requests = counter({
  name: 'switchboard_http_requests_total',
  help: 'HTTP requests the gateway answered, by route template, method and status.',
  labelNames: ['route', 'method', 'status'],
});
const duration = histogram({
  name: 'switchboard_http_request_duration_seconds',
  help: 'HTTP request latency at the gateway (until the response is written), by route template, method and status.',
  labelNames: ['route', 'method', 'status'],
  buckets: LATENCY_BUCKETS,
});

/** A fixed set of methods, so a client cannot grow the label set. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Counts and times every request by the route template Express matched (`/api/messages/:id`),
 * never the raw path: ids and unknown paths would make a series per request. The same template
 * names the request's server span, which the HTTP instrumentation cannot know.
 */
export function httpMetrics(req: Request, res: Response, next: NextFunction): void {
  const started = performance.now();
  const span = trace.getActiveSpan();
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  // Wrapped rather than awaited on 'finish': the instrumentation ends the span inside end().
  res.end = ((...args: unknown[]) => {
    const route = req.route ? `${req.baseUrl}${(req.route as { path: string }).path}` : 'unmatched';
    const method = METHODS.has(req.method) ? req.method : 'OTHER';
    const labels = { route, method, status: String(res.statusCode) };
    requests.inc(labels);
    duration.observe(labels, secondsSince(started));
    if (req.route) span?.setAttribute('http.route', route).updateName(`${method} ${route}`);
    return end(...args);
  }) as Response['end'];
  next();
}
