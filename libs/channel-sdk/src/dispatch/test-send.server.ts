import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  CHANNEL_CONTENT_TYPE,
  DomainError,
  ErrorCode,
  NatsNames,
  senderTestSend,
  testDispatchId,
  type Dispatch,
} from '@switchboard/contracts';
import { NATS_CONNECTION, RpcServer } from '@switchboard/messaging';
import { BreakerOpenError } from '@switchboard/resilience';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { CHANNEL_RUNTIMES } from '../heartbeat/heartbeat.service';
import { asDeliveryError } from '../provider/channel-provider';
import type { ChannelRuntime } from '../provider/channel-runtime';
import { DispatchService } from './dispatch.service';

/** Answers sb.rpc.senders.test.<channel> for each channel this sender sends (DESIGN §7.2 test send). */
@Injectable()
export class TestSendServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private server?: RpcServer;

  constructor(
    @Inject(CHANNEL_RUNTIMES) private readonly runtimes: ChannelRuntime[],
    private readonly dispatches: DispatchService,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.server = new RpcServer(this.nc, this.names, this.logger);
    for (const runtime of this.runtimes) {
      this.server.serve(senderTestSend(runtime.channel), async ({ contentId, contact }) => {
        const id = testDispatchId(randomUUID());
        // A test belongs to no marketing message; the id only gives the dispatch its shape (no event carries it).
        const dispatch: Dispatch = {
          dispatchId: id,
          sendId: id,
          messageId: 1,
          channel: runtime.channel,
          contentId,
          contact,
        };
        try {
          const result = await this.dispatches.sendTest(runtime, dispatch);
          return {
            provider: runtime.provider.name,
            ...(result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}),
          };
        } catch (error) {
          throw this.asDomainError(runtime, error);
        }
      });
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.server?.stop();
  }

  private asDomainError(runtime: ChannelRuntime, error: unknown): DomainError {
    if (error instanceof BreakerOpenError)
      return new DomainError(ErrorCode.Unavailable, `The ${runtime.channel} provider is down; try again later.`);
    const failure = asDeliveryError(error);
    if (failure.code === 'content_not_found')
      return DomainError.notFound(`No ${CHANNEL_CONTENT_TYPE[runtime.channel]} has this id.`);
    if (!failure.permanent)
      return new DomainError(
        ErrorCode.Unavailable,
        `The ${runtime.channel} provider did not take the test: ${failure.message}`,
      );
    const field = failure.code === 'invalid_address' ? 'address' : 'content';
    return DomainError.validation({ [field]: [failure.message] });
  }
}
