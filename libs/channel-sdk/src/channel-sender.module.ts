import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CatalogChanges, RpcClient } from '@switchboard/messaging';
import { prunerProvider, type PruneRule } from '@switchboard/persistence';
import { serviceModule, type ServiceModuleOptions } from '@switchboard/service-kit';
import { createLogger, LOGGER, type Logger } from '@switchboard/telemetry';
import { AttemptRecorder } from './attempts/attempt-recorder';
import { AttemptsRepository } from './attempts/attempts.repository';
import { ContentCache } from './content/content-cache';
import { IncentiveClaimer } from './content/incentive-claimer';
import type { SenderDefinition } from './define-sender';
import { channelRuntimeToken, dispatchConsumerFor } from './dispatch/dispatch.consumer';
import { DispatchService } from './dispatch/dispatch.service';
import { TestSendServer } from './dispatch/test-send.server';
import { CHANNEL_RUNTIMES, HeartbeatService } from './heartbeat/heartbeat.service';
import { createDispatchAttemptsMigration } from './migrations/1795386500000-CreateDispatchAttempts';
import { addContactToDispatchAttemptsMigration } from './migrations/1795389000000-AddContactToDispatchAttempts';
import { addCrashResendsToDispatchAttemptsMigration } from './migrations/1796800000000-AddCrashResendsToDispatchAttempts';
import { ContactErasedConsumer, SENDER_SERVICE } from './attempts/contact-erased.consumer';
import { feedbackConsumerFor } from './feedback/feedback.consumer';
import { FeedbackService } from './feedback/feedback.service';
import { providerMessageIdIndexMigration } from './migrations/1796700000100-ProviderMessageIdIndex';
import { ChannelRuntime } from './provider/channel-runtime';
import { LiquidRenderer } from './rendering/liquid.renderer';
import type { SenderConfig } from './sender.config';

export interface ChannelSenderOptions extends ServiceModuleOptions {
  /** The service's name (`sender-email`); its schema is the same with underscores. */
  service: string;
  config: SenderConfig;
  /** One per channel the service sends. */
  senders: SenderDefinition[];
  /** Extra providers of the service (sender-email's inbound bounce listener). */
  providers?: Provider[];
  /** The service's own tables and migrations beside the attempts table (sender-inapp's inbox). */
  migrations?: Function[];
  /** Retention of those tables, run by the same Pruner as the attempts'. */
  retention?: PruneRule[];
}

/** Longer than the dispatch stream keeps a message: no redelivery can need an older row. */
const ATTEMPTS_RETENTION_MS = 8 * 86_400_000;

/** Closes providers after the consumers stopped, and forgets attempts no redelivery can need. */
@Injectable()
class RuntimeLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(CHANNEL_RUNTIMES) private readonly runtimes: ChannelRuntime[],
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.runtimes.map((r) =>
        r.close().catch((err: unknown) => this.logger.warn({ err, channel: r.channel }, 'provider close failed')),
      ),
    );
  }
}

/**
 * A whole sender service from its channel definitions: the service kit (NATS, its own schema with
 * the attempts table), one dispatch consumer per channel, content cache, heartbeats.
 */
@Module({})
export class ChannelSenderModule {
  static forRoot(options: ChannelSenderOptions): DynamicModule {
    const { service, config } = options;
    const { senders } = options;
    const schema = service.replace(/-/g, '_');
    const logger = options.logger ?? createLogger(service, config.log.level);
    const runtimes = senders.map((definition) => ({
      provide: channelRuntimeToken(definition.channel),
      useFactory: (rpc: RpcClient, feedback: FeedbackService, ...injected: unknown[]) =>
        new ChannelRuntime(definition, {
          config,
          rpc,
          feedback,
          injected,
          logger: logger.child({ channel: definition.channel }),
        }),
      inject: [RpcClient, FeedbackService, ...(definition.inject ?? [])],
    }));
    return serviceModule(ChannelSenderModule, {
      service,
      config,
      logger,
      imports: options.imports,
      database: {
        schema,
        migrations: [
          createDispatchAttemptsMigration(schema),
          addContactToDispatchAttemptsMigration(schema),
          providerMessageIdIndexMigration(schema),
          addCrashResendsToDispatchAttemptsMigration(schema),
          ...(options.migrations ?? []),
        ],
      },
      providers: [
        ...runtimes,
        {
          provide: CHANNEL_RUNTIMES,
          useFactory: (...all: ChannelRuntime[]) => all,
          inject: runtimes.map((r) => r.provide),
        },
        {
          provide: AttemptsRepository,
          useFactory: (ds: DataSource) => new AttemptsRepository(ds, schema),
          inject: [DataSource],
        },
        {
          provide: AttemptRecorder,
          useFactory: (repo: AttemptsRepository, log: Logger) => new AttemptRecorder(repo, log),
          inject: [AttemptsRepository, LOGGER],
        },
        { provide: LiquidRenderer, useValue: new LiquidRenderer() },
        { provide: SENDER_SERVICE, useValue: service },
        ContactErasedConsumer,
        CatalogChanges,
        ContentCache,
        IncentiveClaimer,
        DispatchService,
        TestSendServer,
        FeedbackService,
        HeartbeatService,
        RuntimeLifecycle,
        prunerProvider([
          { table: `"${schema}".dispatch_attempts`, column: 'updated_at', olderThanMs: ATTEMPTS_RETENTION_MS },
          ...(options.retention ?? []),
        ]),
        ...senders.map((definition) => dispatchConsumerFor(service, definition.channel)),
        ...senders.map((definition) => feedbackConsumerFor(service, definition.channel)),
        ...(options.providers ?? []),
      ],
      exports: [FeedbackService],
    });
  }
}
