import { Inject, Injectable } from '@nestjs/common';
import {
  campaignsCreate,
  campaignsDelete,
  campaignsGet,
  campaignsList,
  campaignsShipments,
  campaignsTransition,
  campaignsUpdate,
  type Campaign,
  type CampaignActor,
  type CampaignInput,
  type CampaignListRestQuery,
  type CampaignTransition,
  type Shipment,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { z } from 'zod';
import type { GatewayConfig } from '../gateway.config';
import type { ShipmentsReplySchema } from '@switchboard/contracts';

const UNAVAILABLE = 'Campaigns are not available right now.';

/** /api/campaigns over campaign-actions' RPCs (DESIGN §7.4). */
@Injectable()
export class CampaignsService {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  private get options() {
    return { timeoutMs: this.config.rpcTimeoutMs, unavailable: UNAVAILABLE };
  }

  list(q: CampaignListRestQuery): Promise<{ total: number; campaigns: Campaign[] }> {
    return this.rpc.call(
      campaignsList,
      {
        search: q.search,
        status: q.status,
        start: q.start ?? 0,
        limit: q.limit ?? 30,
        orderBy: q.orderBy,
        orderByDir: q.orderByDir,
      },
      this.options,
    );
  }

  get(id: number): Promise<Campaign> {
    return this.rpc.call(campaignsGet, { id }, this.options);
  }

  create(campaign: CampaignInput, actor: CampaignActor): Promise<Campaign> {
    return this.rpc.call(campaignsCreate, { campaign, actor }, this.options);
  }

  update(id: number, campaign: Partial<CampaignInput>, replace: boolean, actor: CampaignActor): Promise<Campaign> {
    return this.rpc.call(campaignsUpdate, { id, campaign, replace, actor }, this.options);
  }

  delete(id: number, actor: CampaignActor): Promise<Campaign> {
    return this.rpc.call(campaignsDelete, { id, actor }, this.options);
  }

  transition(id: number, action: CampaignTransition, actor: CampaignActor, comment?: string | null): Promise<Campaign> {
    return this.rpc.call(campaignsTransition, { id, action, actor, comment }, this.options);
  }

  async shipments(id: number): Promise<z.infer<typeof ShipmentsReplySchema>> {
    const { shipments } = await this.rpc.call(campaignsShipments, { id }, this.options);
    return { shipments: shipments.map((s: Shipment) => ({ ...s, sent: s.requested, failed: 0 })) };
  }
}
