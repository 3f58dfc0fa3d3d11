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
import { NatsNames, type RpcContract } from '@switchboard/contracts';
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
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureStreams(this.jsm, this.names, { replicas: this.options.nats.streamReplicas });
    const rpc = new RpcServer(this.nc, this.names, this.logger);
    this.rpcServer = rpc;
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || !wrapper.metatype || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const contract = Reflect.getMetadata(RPC_HANDLER_METADATA, prototype, method) as RpcContract | undefined;
        if (contract) rpc.serve(contract, (instance[method] as RpcHandlerFn<RpcContract>).bind(instance));
      }
      if (Reflect.getMetadata(CONSUMER_METADATA, wrapper.metatype)) {
        const consumer = instance as unknown as EventConsumer<unknown>;
        this.runners.push(
          new ConsumerRunner(consumer.spec, (batch) => consumer.handle(batch), {
            service: this.options.service,
            names: this.names,
            js: this.js,
            jsm: this.jsm,
            publisher: this.publisher,
            logger: this.logger,
          }),
        );
      }
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
        MessagingLifecycle,
      ],
      exports: [NatsNames, NATS_CONNECTION, JETSTREAM, JETSTREAM_MANAGER, EventPublisher, BatchPublisher, RpcClient],
    };
  }
}
