import { Injectable } from '@nestjs/common';
import {
  trackerCampaignFigures,
  trackerCampaignStats,
  trackerMessageStats,
  trackerShipmentStats,
  type CampaignFigures,
  type Stats,
} from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { ShipmentStatsRepository } from './shipment-stats.repository';
import { StatsRepository } from './stats.repository';

@Injectable()
export class StatsRpc {
  constructor(
    private readonly stats: StatsRepository,
    private readonly shipments: ShipmentStatsRepository,
  ) {}

  @RpcHandler(trackerMessageStats)
  message(req: { messageId: number; from?: string; to?: string }): Promise<Stats> {
    return this.stats.stats(req);
  }

  @RpcHandler(trackerCampaignStats)
  campaign(req: { campaignId: string; from?: string; to?: string }): Promise<Stats> {
    return this.stats.stats(req);
  }

  @RpcHandler(trackerShipmentStats)
  async shipmentStats(req: { shipmentIds: string[] }): Promise<{ shipments: (Stats & { shipmentId: string })[] }> {
    return { shipments: await this.shipments.stats(req.shipmentIds) };
  }

  @RpcHandler(trackerCampaignFigures)
  async campaignFigures(req: {
    campaignIds: string[];
  }): Promise<{ campaigns: (CampaignFigures & { campaignId: string })[] }> {
    return { campaigns: await this.stats.campaignFigures(req.campaignIds) };
  }
}
