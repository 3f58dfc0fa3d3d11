import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { HEADERS } from '@switchboard/contracts';
import { injectTraceHeaders, type HeaderCarrier } from '@switchboard/telemetry';

/** The correlation id of the work at hand: set by consumers and RPC handlers, read by publishers. */
const correlation = new AsyncLocalStorage<string>();

export function currentCorrelationId(): string | undefined {
  return correlation.getStore();
}

export function runWithCorrelationId<T>(id: string, fn: () => T): T {
  return correlation.run(id, fn);
}

export function newCorrelationId(): string {
  return randomUUID();
}

export function carrierOf(h: MsgHdrs | undefined): HeaderCarrier {
  return { get: (k) => h?.get(k) ?? '', set: (k, v) => h?.set(k, v) };
}

/** Headers for an outgoing event or request: idempotency key, correlation id, W3C trace context. */
export function outgoingHeaders(opts: {
  msgId?: string;
  correlationId?: string;
  headers?: Record<string, string>;
}): MsgHdrs {
  const h = natsHeaders();
  for (const [key, value] of Object.entries(opts.headers ?? {})) h.set(key, value);
  if (opts.msgId) h.set(HEADERS.msgId, opts.msgId);
  h.set(HEADERS.correlationId, opts.correlationId ?? currentCorrelationId() ?? newCorrelationId());
  injectTraceHeaders(carrierOf(h));
  return h;
}

export function headersToRecord(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const key of h.keys()) out[key] = h.get(key);
  return out;
}
