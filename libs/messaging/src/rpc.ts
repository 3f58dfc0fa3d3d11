import { errors, type NatsConnection, type Msg, type Subscription } from '@nats-io/transport-node';
import {
  DomainError,
  ErrorCode,
  HEADERS,
  issuesToDetails,
  type NatsNames,
  type RpcContract,
  RpcReplySchema,
  type RpcReply,
} from '@switchboard/contracts';
import { domainErrorOfDatabase } from '@switchboard/persistence';
import { extractTraceContext, withSpan, type Logger } from '@switchboard/telemetry';
import type { z } from 'zod';
import { carrierOf, newCorrelationId, outgoingHeaders, runWithCorrelationId } from './headers';
import { jsonBytes } from './json-bytes';
import { messagingMetrics } from './messaging.metrics';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type RpcHandlerFn<C extends RpcContract> = (request: z.infer<C['request']>) => Promise<z.input<C['response']>>;

/** Serves request/reply operations on `<prefix>.rpc.<service>.<op>` with a queue group per service. */
export class RpcServer {
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly logger: Logger,
  ) {}

  serve<C extends RpcContract>(contract: C, handler: RpcHandlerFn<C>): void {
    const subject = this.names.subjects.rpc(contract.service, contract.operation);
    const sub = this.nc.subscribe(subject, {
      queue: contract.service,
      callback: (err, msg) => {
        if (err) {
          this.logger.error({ err, subject }, 'rpc subscription error');
          return;
        }
        const task = this.handle(contract, handler, msg).finally(() => this.inFlight.delete(task));
        this.inFlight.add(task);
      },
    });
    this.subscriptions.push(sub);
  }

  private async handle<C extends RpcContract>(contract: C, handler: RpcHandlerFn<C>, msg: Msg): Promise<void> {
    const correlationId = msg.headers?.get(HEADERS.correlationId) || newCorrelationId();
    const started = performance.now();
    const reply = await runWithCorrelationId(correlationId, () =>
      withSpan(
        `rpc ${contract.service}.${contract.operation}`,
        'server',
        { 'rpc.system': 'nats', 'rpc.service': contract.service, 'rpc.method': contract.operation },
        () => this.execute(contract, handler, msg),
        extractTraceContext(carrierOf(msg.headers)),
      ),
    );
    messagingMetrics.rpc(
      'server',
      `${contract.service}.${contract.operation}`,
      reply.ok ? 'ok' : reply.error.code,
      started,
    );
    try {
      msg.respond(jsonBytes(reply));
    } catch (error) {
      this.logger.warn({ err: error, subject: msg.subject }, 'rpc reply failed');
    }
  }

  private async execute<C extends RpcContract>(contract: C, handler: RpcHandlerFn<C>, msg: Msg): Promise<RpcReply> {
    let body: unknown;
    try {
      body = msg.data.length ? JSON.parse(decoder.decode(msg.data)) : {};
    } catch {
      return { ok: false, error: { code: ErrorCode.Validation, message: 'Request body is not JSON.' } };
    }
    const parsed = contract.request.safeParse(body);
    if (!parsed.success) {
      const error = DomainError.validation(issuesToDetails(parsed.error));
      return { ok: false, error: { code: error.code, message: error.message, details: error.details } };
    }
    try {
      return { ok: true, data: await handler(parsed.data as z.infer<C['request']>) };
    } catch (error) {
      const known = error instanceof DomainError ? error : domainErrorOfDatabase(error);
      if (known) return { ok: false, error: { code: known.code, message: known.message, details: known.details } };
      this.logger.error({ err: error, subject: msg.subject }, 'rpc handler failed');
      return { ok: false, error: { code: ErrorCode.Internal, message: 'Internal error.' } };
    }
  }

  async stop(): Promise<void> {
    for (const sub of this.subscriptions.splice(0)) sub.unsubscribe();
    await Promise.all(this.inFlight);
  }
}

/** Calls request/reply operations; a remote DomainError comes back as a DomainError. */
export class RpcClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly defaultTimeoutMs = 5_000,
  ) {}

  async call<C extends RpcContract>(
    contract: C,
    request: z.input<C['request']>,
    /** `unavailable`: the message when nobody serves the operation (default: "<service> is not available."). */
    options: { timeoutMs?: number; correlationId?: string; unavailable?: string } = {},
  ): Promise<z.infer<C['response']>> {
    const subject = this.names.subjects.rpc(contract.service, contract.operation);
    const call = () =>
      withSpan(`rpc ${contract.service}.${contract.operation}`, 'client', { 'rpc.system': 'nats' }, async () => {
        let msg: Msg;
        try {
          msg = await this.nc.request(subject, encoder.encode(JSON.stringify(request)), {
            timeout: options.timeoutMs ?? this.defaultTimeoutMs,
            headers: outgoingHeaders({ correlationId: options.correlationId }),
          });
        } catch (error) {
          if (isNoResponders(error)) {
            throw new DomainError(
              ErrorCode.Unavailable,
              options.unavailable ?? `${contract.service} is not available.`,
            );
          }
          if (error instanceof errors.TimeoutError) {
            throw new DomainError(ErrorCode.Timeout, `${contract.service} did not answer in time.`);
          }
          throw error;
        }
        const reply = RpcReplySchema.safeParse(parseJson(msg.data));
        if (!reply.success) {
          throw new DomainError(
            ErrorCode.Internal,
            `${contract.service} answered ${contract.operation} with a malformed reply.`,
          );
        }
        if (!reply.data.ok) {
          throw new DomainError(reply.data.error.code, reply.data.error.message, reply.data.error.details ?? {});
        }
        const body = reply.data.data;
        const acceptsAsIs = contract.acceptsResponseAsIs;
        if (acceptsAsIs && acceptsAsIs(body)) return body as z.infer<C['response']>;
        const data = contract.response.safeParse(body);
        if (!data.success) {
          throw new DomainError(
            ErrorCode.Internal,
            `${contract.service} answered ${contract.operation} outside its contract: ${data.error.issues[0]?.message ?? 'invalid'}.`,
          );
        }
        return data.data as z.infer<C['response']>;
      });
    return messagingMetrics.timedCall(`${contract.service}.${contract.operation}`, call);
  }
}

function isNoResponders(error: unknown): boolean {
  return error instanceof errors.NoRespondersError || (error instanceof errors.RequestError && error.isNoResponders());
}

function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(data));
  } catch {
    return undefined;
  }
}
