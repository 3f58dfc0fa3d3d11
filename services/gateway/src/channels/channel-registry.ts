import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { NatsNames } from '@switchboard/contracts';
import { ChannelHeartbeats, NATS_CONNECTION, type ChannelStatus } from '@switchboard/messaging';

export type { ChannelStatus };

/** What `GET /api/channels` shows: the live senders this gateway instance has heard from. */
@Injectable()
export class ChannelRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly heartbeats: ChannelHeartbeats;

  constructor(@Inject(NATS_CONNECTION) nc: NatsConnection, names: NatsNames) {
    this.heartbeats = new ChannelHeartbeats(nc, names);
  }

  onModuleInit(): void {
    this.heartbeats.start();
  }

  onModuleDestroy(): void {
    this.heartbeats.stop();
  }

  channels(now = Date.now()): ChannelStatus[] {
    return this.heartbeats.statuses(now);
  }
}
