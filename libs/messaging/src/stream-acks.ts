import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';

/** What JetStream answers a publish with once the stream has stored it. */
export interface StreamAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

/** JetStream refused or never answered a publish: the event is not stored. */
export class StreamPublishError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

interface Waiter {
  subject: string;
  resolve(ack: StreamAck): void;
  reject(error: Error): void;
  deadline: number;
}

const decoder = new TextDecoder();

/**
 * The `inboxPrefix` the connection was made with: a service's NATS user may subscribe only under
 * its own prefix. The NatsConnection interface does not expose the options; nats.js's own
 * JetStream client reads `nc.options.inboxPrefix` from the implementation the same way.
 */
function inboxPrefixOf(nc: NatsConnection): string | undefined {
  return (nc as NatsConnection & { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
}

/**
 * Publishes with a reply subject on one wildcard inbox and pairs each stream ack with its waiter by
 * the reply subject's last token. nats.js's `js.publish` makes a request per publish: a mux entry,
 * a timer, and an Error with a stack trace built even for a successful reply, which cost the
 * router a tenth of its CPU. Here a waiter is a map entry, and one sweep times out the overdue.
 */
export class StreamAcks {
  private readonly waiters = new Map<number, Waiter>();
  private readonly inbox: string;
  private subscription?: Subscription;
  private sweeper?: NodeJS.Timeout;
  private nextId = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    this.inbox = createInbox(inboxPrefixOf(nc));
  }

  /** Publishes `data` to `subject` and resolves with the stream's ack. */
  publish(subject: string, data: Uint8Array, headers: MsgHdrs): Promise<StreamAck> {
    this.subscription ??= this.listen();
    const id = ++this.nextId;
    return new Promise<StreamAck>((resolve, reject) => {
      this.waiters.set(id, { subject, resolve, reject, deadline: Date.now() + this.timeoutMs });
      this.sweeper ??= setInterval(() => this.sweep(), Math.min(1_000, this.timeoutMs)).unref();
      try {
        this.nc.publish(subject, data, { reply: `${this.inbox}.${id}`, headers });
      } catch (error) {
        this.waiters.delete(id);
        reject(error as Error);
      }
    });
  }

  private listen(): Subscription {
    const subscription = this.nc.subscribe(`${this.inbox}.*`, {
      callback: (error, msg) => (error ? this.failAll(error) : this.settle(msg)),
    });
    void subscription.closed.then(() => {
      if (this.subscription === subscription) this.subscription = undefined;
      this.failAll(new StreamPublishError('the connection closed before JetStream answered'));
    });
    return subscription;
  }

  private settle(msg: Msg): void {
    const id = Number(msg.subject.slice(msg.subject.lastIndexOf('.') + 1));
    const waiter = this.waiters.get(id);
    if (!waiter) return; // timed out already
    this.waiters.delete(id);
    if (msg.data.length === 0 && msg.headers?.code === 503) {
      waiter.reject(new StreamPublishError(`no stream stores ${waiter.subject}`, 503));
      return;
    }
    let reply: { stream?: string; seq?: number; duplicate?: boolean; error?: { code: number; description: string } };
    try {
      reply = JSON.parse(decoder.decode(msg.data));
    } catch {
      waiter.reject(new StreamPublishError('JetStream answered a publish with something other than JSON'));
      return;
    }
    if (reply.error) waiter.reject(new StreamPublishError(reply.error.description, reply.error.code));
    else if (!reply.stream) waiter.reject(new StreamPublishError('JetStream answered a publish without a stream'));
    else waiter.resolve({ stream: reply.stream, seq: reply.seq ?? 0, duplicate: reply.duplicate === true });
  }

  /** Waiters enter in id order with the same timeout, so the overdue ones are a prefix. */
  private sweep(): void {
    const now = Date.now();
    for (const [id, waiter] of this.waiters) {
      if (waiter.deadline > now) break;
      this.waiters.delete(id);
      waiter.reject(new StreamPublishError(`JetStream did not acknowledge a publish within ${this.timeoutMs} ms`));
    }
    if (this.waiters.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiters.values()) waiter.reject(error);
    this.waiters.clear();
  }
}
