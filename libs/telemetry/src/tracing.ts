import {
  context,
  propagation,
  trace,
  SpanKind,
  SpanStatusCode,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import {
  AlwaysOnSampler,
  type SpanExporter,
  type SpanProcessor,
  BatchSpanProcessor,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

let sdk: NodeSDK | undefined;

export interface TelemetryOptions {
  serviceName: string;
  /** OTLP/HTTP endpoint; traces are recorded (ids in logs and headers) but exported only when set. */
  otlpEndpoint?: string;
  /** Tests pass an in-memory exporter. */
  exporter?: SpanExporter;
}

/**
 * Starts the OpenTelemetry SDK once per process. NATS has no instrumentation, so the messaging
 * layer injects and extracts `traceparent` itself through the helpers below.
 */
export function startTelemetry(options: TelemetryOptions): void {
  if (sdk) return;
  const processors: SpanProcessor[] = [];
  if (options.exporter) processors.push(new SimpleSpanProcessor(options.exporter));
  else if (options.otlpEndpoint) {
    processors.push(
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` })),
    );
  }
  sdk = new NodeSDK({
    serviceName: options.serviceName,
    sampler: new AlwaysOnSampler(),
    spanProcessors: processors,
    instrumentations:
      options.exporter || options.otlpEndpoint
        ? [new HttpInstrumentation(), new PgInstrumentation(), new NestInstrumentation()]
        : [],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
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
): Promise<T> {
  const spanKind = {
    consumer: SpanKind.CONSUMER,
    producer: SpanKind.PRODUCER,
    server: SpanKind.SERVER,
    client: SpanKind.CLIENT,
    internal: SpanKind.INTERNAL,
  }[kind];
  return tracer().startActiveSpan(name, { kind: spanKind, attributes }, parent, async (span) => {
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
