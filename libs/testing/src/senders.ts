import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  catalogContentGet,
  catalogItemSave,
  DomainError,
  type Channel,
  type ChannelHeartbeat,
  type ContentItem,
  type ContentType,
  type DeliveryEvent,
  type DeliveryEventKind,
  type Dispatch,
  type RpcContract,
} from '@switchboard/contracts';
import { EventPublisher, RpcClient, RpcServer, type RpcHandlerFn } from '@switchboard/messaging';
import { createLogger } from '@switchboard/telemetry';
import { freePort } from './ports';
import { spawnService, type ChildService } from './services';
import { SubjectRecorder } from './subject-recorder';
import { childEnv, type TestEnv } from './test-env';
import { waitFor, waitUntilConsumersIdle } from './waiting';

/**
 * Test support for senders (tests only): environment for a
 * sender with millisecond retries, a catalog stand-in answering sb.rpc.catalog.content.get, and a
 * harness that publishes dispatches and records delivery events and heartbeats.
 */

export const TEST_TRACKING_SECRET = 'test-tracking-secret';
export const TEST_PUBLIC_URL = 'https://switchboard.test';

/** Env for a sender in `env`: fast retries (ms), a breaker that opens after 3 calls and probes after 400 ms. */
export function senderTestEnv(env: TestEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return childEnv(env, {
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SB_TRACKING_SECRET: TEST_TRACKING_SECRET,
    SB_PUBLIC_URL: TEST_PUBLIC_URL,
    SENDER_RETRY_BASE_MS: '20',
    SENDER_RETRY_MAX_MS: '100',
    SENDER_BREAKER_RESET_MS: '400',
    SENDER_BREAKER_VOLUME: '3',
    SENDER_PROVIDER_TIMEOUT_MS: '5000',
    ...extra,
  });
}

/** Serves content items the way catalog does (NOT_FOUND for unknown ones) and announces changes. */
export class CatalogStub {
  readonly items = new Map<string, ContentItem>();
  calls = 0;
  private nextId = 1;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly env: TestEnv,
    private readonly server: RpcServer,
  ) {}

  static async start(env: TestEnv, nc?: NatsConnection): Promise<CatalogStub> {
    const conn = nc ?? (await connect({ servers: env.natsUrl }));
    const server = new RpcServer(conn, env.names, createLogger('catalog-stub', 'silent'));
    const stub = new CatalogStub(conn, env, server);
    server.serve(catalogContentGet, async ({ type, id }) => {
      stub.calls++;
      const item = stub.items.get(`${type}:${id}`);
      if (!item) throw DomainError.notFound();
      return item;
    });
    return stub;
  }

  add(
    type: ContentType,
    fields: Record<string, unknown>,
    options: { isPublished?: boolean; name?: string } = {},
  ): ContentItem {
    const item: ContentItem = {
      type,
      id: this.nextId++,
      name: options.name ?? `${type} ${this.nextId}`,
      isPublished: options.isPublished ?? true,
      version: 1,
      fields,
    };
    this.items.set(`${type}:${item.id}`, item);
    return item;
  }

  /** Changes an item and publishes sb.catalog.message.changed.v1, as catalog does on save. */
  async update(item: ContentItem, fields: Record<string, unknown>): Promise<ContentItem> {
    const next = { ...item, version: item.version + 1, fields: { ...item.fields, ...fields } };
    this.items.set(`${item.type}:${item.id}`, next);
    await new EventPublisher(this.nc).publish({
      subject: this.env.names.subjects.catalogChanged(),
      payload: { kind: item.type, id: item.id, version: next.version },
      msgId: `catalog:${item.type}:${item.id}:${next.version}`,
    });
    return next;
  }

  async close(): Promise<void> {
    await this.server.stop();
  }
}

export interface TestContact {
  id?: string;
  /** An email, a number, a handle, or push targets (subscriptions, devices). */
  address: string | object[];
  fields?: Record<string, unknown>;
}

/**
 * Publishes dispatches as the router does and watches what the senders answer. Content comes from
 * the real catalog service (`catalog: 'service'`, run as a child process and filled through its
 * items.save RPC) or from a CatalogStub in the test process.
 */
export class SenderHarness {
  private readonly publisher: EventPublisher;
  private readonly deliveries: SubjectRecorder<DeliveryEvent>;
  private readonly heartbeats: SubjectRecorder<ChannelHeartbeat>;
  private readonly servers: RpcServer[] = [];
  readonly rpc: RpcClient;

  private constructor(
    readonly env: TestEnv,
    readonly nc: NatsConnection,
    private readonly stub?: CatalogStub,
    private readonly catalogService?: ChildService,
  ) {
    this.publisher = new EventPublisher(nc);
    this.rpc = new RpcClient(nc, env.names, 10_000);
    this.deliveries = new SubjectRecorder<DeliveryEvent>(nc, [env.names.subjects.delivery('*', '*')]);
    this.heartbeats = new SubjectRecorder<ChannelHeartbeat>(nc, [env.names.subjects.channelHeartbeat()]);
  }

  static async start(env: TestEnv, options: { catalog?: 'stub' | 'service' } = {}): Promise<SenderHarness> {
    const nc = await connect({ servers: env.natsUrl });
    if (options.catalog === 'service') {
      const service = await spawnService(env, 'catalog', { LOG_LEVEL: 'warn' }, await freePort());
      return new SenderHarness(env, nc, undefined, service);
    }
    return new SenderHarness(env, nc, await CatalogStub.start(env, nc));
  }

  /** The catalog stand-in (not there when the harness runs the catalog service). */
  get catalog(): CatalogStub {
    if (!this.stub) throw new Error('this harness runs the catalog service: use addContent()');
    return this.stub;
  }

  /** Creates a published content item (in the catalog service or the stub) and returns its id. */
  async addContent(type: ContentType, fields: Record<string, unknown>): Promise<number> {
    if (this.stub) return this.stub.add(type, fields).id;
    const { item } = await this.rpc.call(catalogItemSave, {
      kind: type,
      mode: 'create',
      input: { name: `${type} for a test`, isPublished: true, ...fields },
      actor: { id: null, name: 'test' },
    });
    return Number(item.id);
  }

  /** Edits a content item; catalog (or the stub) announces the change on sb.catalog.message.changed.v1. */
  async updateContent(type: ContentType, id: number, fields: Record<string, unknown>): Promise<void> {
    if (this.stub) {
      const item = this.stub.items.get(`${type}:${id}`);
      if (!item) throw new Error(`no ${type} ${id}`);
      await this.stub.update(item, fields);
      return;
    }
    await this.rpc.call(catalogItemSave, {
      kind: type,
      mode: 'patch',
      id,
      input: fields,
      actor: { id: null, name: 'test' },
    });
  }

  /** Answers an RPC in the test process (e.g. preferences.webPush.remove). */
  serve<C extends RpcContract>(contract: C, handler: RpcHandlerFn<C>): void {
    const server = new RpcServer(this.nc, this.env.names, createLogger('harness', 'silent'));
    server.serve(contract, handler);
    this.servers.push(server);
  }

  dispatch(channel: Channel, contentId: number, contact: TestContact, extra: Partial<Dispatch> = {}): Dispatch {
    const sendId = `send-${randomUUID()}`;
    return {
      dispatchId: `${sendId}:0`,
      sendId,
      messageId: 1,
      channel,
      contentId,
      contact: {
        id: contact.id ?? `c-${randomUUID().slice(0, 8)}`,
        address: contact.address as Dispatch['contact']['address'],
        locale: null,
        timezone: null,
        fields: contact.fields ?? {},
      },
      ...extra,
    };
  }

  /** Publishes a dispatch; a new `msgId` makes JetStream store it again (a redelivery of the same dispatch id). */
  async publish(dispatch: Dispatch, msgId: string = dispatch.dispatchId): Promise<Dispatch> {
    await this.publisher.publish({
      subject: this.env.names.subjects.dispatch(dispatch.channel),
      payload: dispatch,
      msgId,
    });
    return dispatch;
  }

  /** Publishes dispatches as one batch message (DESIGN §5 "Batching"); items may be anything, to test bad ones. */
  async publishBatch(channel: Channel, items: unknown[], msgId: string): Promise<void> {
    await this.publisher.publish({
      subject: this.env.names.subjects.dispatch(channel),
      payload: { dispatches: items },
      msgId,
    });
  }

  async send(
    channel: Channel,
    contentId: number,
    contact: TestContact,
    extra: Partial<Dispatch> = {},
  ): Promise<Dispatch> {
    return this.publish(this.dispatch(channel, contentId, contact, extra));
  }

  /** Every delivery event published for a dispatch, re-publications included. */
  eventsOf(dispatchId: string, event?: DeliveryEventKind): DeliveryEvent[] {
    return this.deliveries.messages
      .map((m) => m.data)
      .filter((e) => e.dispatchId === dispatchId && (!event || e.event === event));
  }

  /** The first sent/failed event of a dispatch. */
  async outcome(dispatchId: string, timeoutMs = 15_000): Promise<DeliveryEvent> {
    const [first] = await this.deliveries.waitForCount(1, (m) => m.data.dispatchId === dispatchId, timeoutMs);
    return first.data;
  }

  async waitForEvents(dispatchId: string, count: number, timeoutMs = 15_000): Promise<DeliveryEvent[]> {
    const found = await this.deliveries.waitForCount(count, (m) => m.data.dispatchId === dispatchId, timeoutMs);
    return found.map((m) => m.data);
  }

  /** Waits until the latest heartbeat of `channel` has `status`. */
  async heartbeat(channel: Channel, status: ChannelHeartbeat['status'], timeoutMs = 15_000): Promise<ChannelHeartbeat> {
    return waitFor(
      () => {
        const latest = this.heartbeats.messages.filter((m) => m.data.channel === channel).at(-1)?.data;
        return latest?.status === status ? latest : undefined;
      },
      { timeoutMs, message: `heartbeat ${channel} ${status}` },
    );
  }

  idle(timeoutMs?: number): Promise<void> {
    return waitUntilConsumersIdle(this.nc, this.env.names, timeoutMs);
  }

  async close(): Promise<void> {
    this.deliveries.stop();
    this.heartbeats.stop();
    await Promise.all(this.servers.map((s) => s.stop()));
    await this.stub?.close();
    await this.catalogService?.kill();
    await this.nc.drain();
  }
}
