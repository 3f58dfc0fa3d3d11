import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  durableConsumersOf,
  NatsNames,
  natsInboxPrefix,
  SERVICE_NATS_USERS,
  type RpcContract,
} from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { ConsumerRunner } from './consumer-runner';
import { CONSUMER_METADATA, RPC_HANDLER_METADATA, type EventConsumer } from './messaging.decorators';
import { BatchPublisher } from './batch-publisher';
import { EventPublisher } from './publisher';
import { RpcClient, RpcServer, type RpcHandlerFn } from './rpc';
import { ensureStreams } from './streams';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const JETSTREAM = Symbol('JETSTREAM');
export const JETSTREAM_MANAGER = Symbol('JETSTREAM_MANAGER');
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingOptions {
  /** The service's name: RPC queue group, DLQ subject, connection name. */
  service: string;
  nats: { url: string; prefix: string; streamReplicas?: number; user?: string; password?: string };
  rpcTimeoutMs?: number;
  /**
   * Run the migrate step's NATS part while the service starts: create or update every stream and
   * this service's durable consumers (MIGRATE_ON_BOOT). When false the service only binds to
   * them, so its NATS user needs no right to the JetStream API beyond its own consumers.
   */
  provisionOnBoot?: boolean;
}

/** The service's consumers (every provider marked @Consumer) and RPC handlers, found once. */
@Injectable()
export class MessagingDiscovery {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly names: NatsNames,
  ) {}

  /** The @Consumer providers; for a deployed service, each must be one of its durables in libs/contracts. */
  consumers(): EventConsumer<unknown>[] {
    const found: EventConsumer<unknown>[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || !wrapper.metatype || typeof instance !== 'object') continue;
      if (Reflect.getMetadata(CONSUMER_METADATA, wrapper.metatype))
        found.push(instance as unknown as EventConsumer<unknown>);
    }
    this.assertDeclared(found);
    return found;
  }

  /**
   * The service's NATS user may pull and ack only the durables durableConsumers lists for it: one
   * missing from there would be provisioned and then refused, so stop at boot and say where to add it.
   */
  private assertDeclared(consumers: EventConsumer<unknown>[]): void {
    const { service } = this.options;
    if (!(SERVICE_NATS_USERS as readonly string[]).includes(service)) return;
    const declared = durableConsumersOf(this.names, service);
    const undeclared = consumers
      .map((c) => c.spec)
      .filter((spec) => !declared.some((d) => d.durable === spec.durable && d.subject === spec.subject));
    if (undeclared.length > 0)
      throw new Error(
        `${service} runs durable consumers that libs/contracts' durableConsumers does not list, so its NATS user ` +
          `may not pull them: ${undeclared.map((s) => `${s.durable} (${s.subject})`).join(', ')}. Add them there and run \`npm run nats-users\`.`,
      );
  }

  rpcHandlers(): { contract: RpcContract; handler: RpcHandlerFn<RpcContract> }[] {
    const found: { contract: RpcContract; handler: RpcHandlerFn<RpcContract> }[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || !wrapper.metatype || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const contract = Reflect.getMetadata(RPC_HANDLER_METADATA, prototype, method) as RpcContract | undefined;
        if (contract) found.push({ contract, handler: (instance[method] as RpcHandlerFn<RpcContract>).bind(instance) });
      }
    }
    return found;
  }
}

/**
 * The migrate step's NATS part: every stream of DESIGN §5 and this service's durable consumers,
 * created or updated. Runs under credentials allowed to manage JetStream (the provisioning user),
 * from `MIGRATE_ONLY=true` (npm run migrate, the Helm migrate job) or at boot with MIGRATE_ON_BOOT.
 */
@Injectable()
export class MessagingProvisioner {
  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(JETSTREAM) private readonly js: JetStreamClient,
    @Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly names: NatsNames,
    private readonly publisher: EventPublisher,
    private readonly discovery: MessagingDiscovery,
  ) {}

  async provision(): Promise<string[]> {
    await ensureStreams(this.jsm, this.names, { replicas: this.options.nats.streamReplicas });
    const durables: string[] = [];
    for (const consumer of this.discovery.consumers()) {
      const runner = new ConsumerRunner(consumer.spec, () => Promise.resolve(), {
        service: this.options.service,
        names: this.names,
        js: this.js,
        jsm: this.jsm,
        publisher: this.publisher,
        logger: this.logger,
      });
      await runner.provision();
      durables.push(runner.durable);
    }
    this.logger.info({ consumers: durables }, 'streams and consumers provisioned');
    return durables;
  }
}

/** Starts the discovered consumers and RPC handlers once the app is up; drains them on shutdown. */
@Injectable()
class MessagingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly runners: ConsumerRunner<unknown>[] = [];
  private rpcServer?: RpcServer;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(JETSTREAM) private readonly js: JetStreamClient,
    @Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly names: NatsNames,
    private readonly publisher: EventPublisher,
    private readonly discovery: MessagingDiscovery,
    private readonly provisioner: MessagingProvisioner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.provisionOnBoot ?? true) await this.provisioner.provision();
    const rpc = new RpcServer(this.nc, this.names, this.logger);
    this.rpcServer = rpc;
    for (const { contract, handler } of this.discovery.rpcHandlers()) rpc.serve(contract, handler);
    for (const consumer of this.discovery.consumers()) {
      this.runners.push(
        new ConsumerRunner(consumer.spec, (batch) => consumer.handle(batch), {
          service: this.options.service,
          names: this.names,
          js: this.js,
          jsm: this.jsm,
          publisher: this.publisher,
          logger: this.logger,
          provision: false,
        }),
      );
    }
    await Promise.all(this.runners.map((r) => r.start()));
    this.logger.info({ consumers: this.runners.map((r) => r.durable) }, 'messaging started');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.rpcServer?.stop();
    await Promise.all(this.runners.map((r) => r.stop()));
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}

@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        { provide: NatsNames, useValue: new NatsNames(options.nats.prefix) },
        {
          provide: NATS_CONNECTION,
          useFactory: () =>
            connect({
              servers: options.nats.url,
              name: options.service,
              maxReconnectAttempts: -1,
              // Async stack traces cost two Error objects per request/publish: half the client's CPU.
              noAsyncTraces: true,
              // nats.js ignores credentials inside the URL; deployments pass them separately.
              user: options.nats.user,
              pass: options.nats.password,
              // Pulled messages and replies come to inboxes: each NATS user may read only its own
              // (the migrate step connects as `provisioner`).
              inboxPrefix: natsInboxPrefix(options.nats.user ?? options.service),
            }),
        },
        { provide: JETSTREAM, useFactory: (nc: NatsConnection) => jetstream(nc), inject: [NATS_CONNECTION] },
        {
          provide: JETSTREAM_MANAGER,
          useFactory: (nc: NatsConnection) => jetstreamManager(nc),
          inject: [NATS_CONNECTION],
        },
        {
          provide: EventPublisher,
          useFactory: (nc: NatsConnection) => new EventPublisher(nc),
          inject: [NATS_CONNECTION],
        },
        {
          provide: BatchPublisher,
          useFactory: (publisher: EventPublisher, names: NatsNames) => new BatchPublisher(publisher, names),
          inject: [EventPublisher, NatsNames],
        },
        {
          provide: RpcClient,
          useFactory: (nc: NatsConnection, names: NatsNames) => new RpcClient(nc, names, options.rpcTimeoutMs),
          inject: [NATS_CONNECTION, NatsNames],
        },
        MessagingDiscovery,
        MessagingProvisioner,
        MessagingLifecycle,
      ],
      exports: [
        MessagingProvisioner,
        NatsNames,
        NATS_CONNECTION,
        JETSTREAM,
        JETSTREAM_MANAGER,
        EventPublisher,
        BatchPublisher,
        RpcClient,
      ],
    };
  }
}
