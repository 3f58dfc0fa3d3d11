import {
  context,
  propagation,
  trace,
  isSpanContextValid,
  SpanKind,
  SpanStatusCode,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import {
  AlwaysOnSampler,
  type SpanExporter,
  type SpanProcessor,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { readOtelEnv } from './otel-env';

let sdk: NodeSDK | undefined;

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /** Tests pass an in-memory exporter; otherwise the OTEL_* variables decide (see readOtelEnv). */
  exporter?: SpanExporter;
  env?: NodeJS.ProcessEnv;
}

/** Records spans (ids for logs, headers and send records) without sending them anywhere. */
const recordOnly: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

/**
 * Starts the OpenTelemetry SDK once per process (in-process test services share the first one's
 * name). With an OTLP endpoint in the environment the SDK builds its exporter from the standard
 * variables; without one spans are still recorded, so trace ids reach logs and NATS headers.
 * NATS has no instrumentation: the messaging layer injects and extracts `traceparent` itself.
 */
export function startTelemetry(options: TelemetryOptions): void {
  if (sdk) return;
  const otel = readOtelEnv(options.serviceName, options.serviceVersion ?? '0.0.0', options.env);
  const exporting = Boolean(options.exporter) || otel.exportTraces;
  sdk = new NodeSDK({
    serviceName: otel.serviceName,
    resource: resources.resourceFromAttributes({
      'service.version': otel.serviceVersion,
      'service.namespace': 'switchboard',
    }),
    sampler: new AlwaysOnSampler(),
    // undefined = the exporters OTEL_TRACES_EXPORTER / OTEL_EXPORTER_OTLP_* describe.
    spanProcessors: options.exporter
      ? [new SimpleSpanProcessor(options.exporter)]
      : otel.exportTraces
        ? undefined
        : [recordOnly],
    instrumentations: exporting ? [new HttpInstrumentation(), new PgInstrumentation(), new NestInstrumentation()] : [],
  });
  sdk.start();
  // The instrumentations patch a module when it is next required; express loaded http already.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (exporting) require('http');
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}

/** Sends the spans still buffered (before a process exits or a test reads its collector). */
export async function flushTelemetry(): Promise<void> {
  const provider = trace.getTracerProvider() as { forceFlush?: () => Promise<void> };
  const delegate = (provider as { getDelegate?: () => { forceFlush?: () => Promise<void> } }).getDelegate?.();
  await (delegate ?? provider).forceFlush?.();
}

/** Anything with get/set of string headers (NATS MsgHdrs, a plain record). */
export interface HeaderCarrier {
  get(key: string): string;
  set(key: string, value: string): void;
}

const getter: TextMapGetter<HeaderCarrier> = {
  keys: () => [],
  // NATS returns '' for a missing header; the propagator wants undefined.
  get: (carrier, key) => carrier.get(key) || undefined,
};
const setter: TextMapSetter<HeaderCarrier> = { set: (carrier, key, value) => carrier.set(key, value) };

export function injectTraceHeaders(carrier: HeaderCarrier, ctx: Context = context.active()): void {
  propagation.inject(ctx, carrier, setter);
}

export function extractTraceContext(carrier: HeaderCarrier): Context {
  return propagation.extract(context.active(), carrier, getter);
}

const tracer = () => trace.getTracer('switchboard');

/** Runs `fn` inside a span that continues the trace in `carrier` (a consumer or RPC handler). */
export async function withSpan<T>(
  name: string,
  kind: 'consumer' | 'producer' | 'server' | 'client' | 'internal',
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
  parent: Context = context.active(),
  links: Link[] = [],
): Promise<T> {
  const spanKind = {
    consumer: SpanKind.CONSUMER,
    producer: SpanKind.PRODUCER,
    server: SpanKind.SERVER,
    client: SpanKind.CLIENT,
    internal: SpanKind.INTERNAL,
  }[kind];
  return tracer().startActiveSpan(name, { kind: spanKind, attributes, links }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

export function currentTraceId(): string | undefined {
  const id = trace.getActiveSpan()?.spanContext().traceId;
  return id && id !== '00000000000000000000000000000000' ? id : undefined;
}

/** The trace context a message's headers carry (a record, as `Delivery.headers` holds them). */
export function traceContextOf(headers: Record<string, string | undefined>): Context {
  return extractTraceContext({ get: (k) => headers[k] ?? '', set: () => undefined });
}

/**
 * Span links to the traces of the items a span handles together (a batch envelope, a consumer
 * batch): the span belongs to one trace, and each item's trace points at it.
 */
export function linksTo(itemHeaders: Record<string, string | undefined>[]): Link[] {
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const headers of itemHeaders) {
    const spanContext = spanContextOf(headers);
    if (!spanContext) continue;
    // Items of one envelope share its context: one link each, not one per item.
    const key = `${spanContext.traceId}-${spanContext.spanId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    links.push({ context: spanContext });
  }
  return links;
}

/** The trace id a message's headers carry, if any. */
export function traceIdOf(headers: Record<string, string | undefined>): string | undefined {
  return spanContextOf(headers)?.traceId;
}

/**
 * The valid span context of a headers record, read once per record: the items of a batch message
 * share their message's record, and parsing its traceparent for each of 1,000 items showed in
 * the router's profile.
 */
const spanContexts = new WeakMap<object, SpanContext | null>();
function spanContextOf(headers: Record<string, string | undefined>): SpanContext | undefined {
  let spanContext = spanContexts.get(headers);
  if (spanContext === undefined) {
    const found = trace.getSpanContext(traceContextOf(headers));
    spanContext = found && isSpanContextValid(found) ? found : null;
    spanContexts.set(headers, spanContext);
  }
  return spanContext ?? undefined;
}

/** Runs `fn` in the trace of one item, so what it publishes or calls continues that item's trace. */
export function inTraceOf<T>(headers: Record<string, string | undefined>, fn: () => T): T {
  return context.with(traceContextOf(headers), fn);
}

/** The W3C `traceparent` of the active span, for storing next to a record ("which trace made this?"). */
export function currentSpanIds(): { traceId: string; spanId: string } | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext)
    ? { traceId: spanContext.traceId, spanId: spanContext.spanId }
    : undefined;
}
