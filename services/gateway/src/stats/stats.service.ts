import { Inject, Injectable } from '@nestjs/common';
import {
  catalogMessagesRoutable,
  DomainError,
  trackerCampaignStats,
  trackerMessageStats,
  type Stats,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { GatewayConfig } from '../gateway.config';

type Range = { from?: string; to?: string };

@Injectable()
export class StatsService {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** A message nobody sent yet has zero figures; one the catalog does not know either is a 404. */
  async message(messageId: number, range: Range): Promise<Stats> {
    const stats = await this.rpc.call(trackerMessageStats, { messageId, ...range }, this.options);
    if (stats.daily.length === 0) {
      const { messages } = await this.rpc.call(catalogMessagesRoutable, { ids: [messageId] }, this.options);
      if (messages.length === 0) throw DomainError.notFound();
    }
    return stats;
  }

  campaign(campaignId: string, range: Range): Promise<Stats> {
    return this.rpc.call(trackerCampaignStats, { campaignId, ...range }, this.options);
  }

  private get options() {
    return { timeoutMs: this.config.rpcTimeoutMs };
  }
}
