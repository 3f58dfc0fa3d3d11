import { Injectable } from '@nestjs/common';
import { trackerCampaignStats, trackerMessageStats, type Stats } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { StatsRepository } from './stats.repository';

@Injectable()
export class StatsRpc {
  constructor(private readonly stats: StatsRepository) {}

  @RpcHandler(trackerMessageStats)
  message(req: { messageId: number; from?: string; to?: string }): Promise<Stats> {
    return this.stats.stats(req);
  }

  @RpcHandler(trackerCampaignStats)
  campaign(req: { campaignId: string; from?: string; to?: string }): Promise<Stats> {
    return this.stats.stats(req);
  }
}
