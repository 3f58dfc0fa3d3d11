import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Response } from 'express';
import { inboxUnreadCount, InboxChangedSchema, NatsNames, type InboxChanged } from '@switchboard/contracts';
import { NATS_CONNECTION, RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import type { GatewayConfig } from '../gateway.config';

/** A comment line every so often keeps proxies and load balancers from closing an idle stream. */
const KEEPALIVE_MS = 20_000;

/**
 * GET /inbox/stream: server-sent events per contact. Every gateway instance listens to
 * sb.inbox.changed.v1 (core NATS) and writes to the streams it holds itself, so a contact's tabs
 * may be on any instance. Events: `count` ({"unread": n}) on connect and after every change,
 * `message` (an inbox message) when one arrives.
 */
@Injectable()
export class InboxStreams implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly streams = new Map<string, Set<Response>>();
  private subscription?: Subscription;
  private keepalive?: NodeJS.Timeout;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.nc.subscribe(this.names.subjects.inboxChanged(), {
      callback: (err, msg) => {
        if (err) return;
        const change = InboxChangedSchema.safeParse(msg.json<unknown>());
        if (change.success) void this.deliver(change.data);
      },
    });
    this.keepalive = setInterval(() => {
      for (const set of this.streams.values()) for (const res of set) res.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  beforeApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    clearInterval(this.keepalive);
    for (const set of this.streams.values()) for (const res of set) res.end();
    this.streams.clear();
  }

  /** Opens a stream for the contact: headers, the current count, then live events until the client leaves. */
  async open(contactId: string, res: Response): Promise<void> {
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('connection', 'keep-alive');
    // nginx and similar proxies would otherwise buffer the stream.
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    let set = this.streams.get(contactId);
    if (!set) this.streams.set(contactId, (set = new Set()));
    set.add(res);
    res.on('close', () => {
      set.delete(res);
      if (set.size === 0 && this.streams.get(contactId) === set) this.streams.delete(contactId);
    });
    const { unread } = await this.rpc.call(inboxUnreadCount, { contactId }, { timeoutMs: this.config.rpcTimeoutMs });
    send(res, 'count', { unread });
  }

  private async deliver(change: InboxChanged): Promise<void> {
    const set = this.streams.get(change.contactId);
    if (!set?.size) return;
    if (change.message) for (const res of set) send(res, 'message', change.message);
    try {
      const unread =
        change.unread ??
        (
          await this.rpc.call(
            inboxUnreadCount,
            { contactId: change.contactId },
            { timeoutMs: this.config.rpcTimeoutMs },
          )
        ).unread;
      for (const res of set) send(res, 'count', { unread });
    } catch (err) {
      this.logger.warn({ err }, 'inbox count not pushed');
    }
  }
}

function send(res: Response, event: string, data: unknown): void {
  if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
