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
  DomainError,
  trackerShipmentStats,
  type Shipment,
  type Stats,
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

  /**
   * campaign-actions' progress of each shipment (targets, requested) with what the tracker saw
   * become of its sends: `sent`, and `failed` = delivery failed, bounced, or routing failed (which
   * includes the sends a cancel stopped).
   */
  async shipments(id: number): Promise<z.infer<typeof ShipmentsReplySchema>> {
    const { shipments } = await this.rpc.call(campaignsShipments, { id }, this.options);
    const stats = await this.statsOf(shipments.map((s) => s.id));
    return {
      shipments: shipments.map((s: Shipment) => {
        const total = stats.get(s.id)?.total;
        return { ...s, sent: total?.sent ?? 0, failed: total ? total.failed + total.bounced + total.suppressed : 0 };
      }),
    };
  }

  /** The figures of one shipment of the campaign (404 when the shipment is not the campaign's). */
  async shipmentStats(id: number, shipmentId: string): Promise<Stats> {
    const { shipments } = await this.rpc.call(campaignsShipments, { id }, this.options);
    if (!shipments.some((s) => s.id === shipmentId)) throw DomainError.notFound();
    const stats = (await this.statsOf([shipmentId])).get(shipmentId)!;
    const { shipmentId: _, ...rest } = stats;
    return { ...rest, campaignId: String(id) };
  }

  private async statsOf(shipmentIds: string[]): Promise<Map<string, Stats & { shipmentId: string }>> {
    const out = new Map<string, Stats & { shipmentId: string }>();
    for (let i = 0; i < shipmentIds.length; i += 200) {
      const { shipments } = await this.rpc.call(
        trackerShipmentStats,
        { shipmentIds: shipmentIds.slice(i, i + 200) },
        { timeoutMs: this.config.rpcTimeoutMs },
      );
      for (const s of shipments) out.set(s.shipmentId, s);
    }
    return out;
  }
}
