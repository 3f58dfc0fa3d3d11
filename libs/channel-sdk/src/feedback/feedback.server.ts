import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { NatsNames, senderFeedback } from '@switchboard/contracts';
import { NATS_CONNECTION, RpcServer } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { CHANNEL_RUNTIMES } from '../heartbeat/heartbeat.service';
import type { ChannelRuntime } from '../provider/channel-runtime';
import { FeedbackService } from './feedback.service';

/** Answers sb.rpc.senders.feedback.<channel>: provider webhooks the gateway verified, for each channel sent here. */
@Injectable()
export class FeedbackServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private server?: RpcServer;

  constructor(
    @Inject(CHANNEL_RUNTIMES) private readonly runtimes: ChannelRuntime[],
    private readonly feedback: FeedbackService,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.server = new RpcServer(this.nc, this.names, this.logger);
    for (const runtime of this.runtimes) {
      this.server.serve(senderFeedback(runtime.channel), ({ reports }) => this.feedback.report(reports));
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.server?.stop();
  }
}
