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
  preferencesAudienceCount,
  type Audience,
  trackerCampaignFigures,
  trackerShipmentStats,
  type CampaignFigures,
  type CampaignView,
  type Shipment,
  type Stats,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { z } from 'zod';
import type { GatewayConfig } from '../gateway.config';
import type { ShipmentsReplySchema } from '@switchboard/contracts';

const UNAVAILABLE = 'Campaigns are not available right now.';
const NO_FIGURES: CampaignFigures = { sent: 0, failed: 0, opened: 0, clicked: 0 };

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

  async list(q: CampaignListRestQuery): Promise<{ total: number; campaigns: CampaignView[] }> {
    const { total, campaigns } = await this.rpc.call(
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
    return { total, campaigns: await this.withFigures(campaigns) };
  }

  async get(id: number): Promise<CampaignView> {
    const [campaign] = await this.withFigures([await this.rpc.call(campaignsGet, { id }, this.options)]);
    return campaign;
  }

  async create(campaign: CampaignInput, actor: CampaignActor): Promise<CampaignView> {
    return { ...(await this.rpc.call(campaignsCreate, { campaign, actor }, this.options)), stats: NO_FIGURES };
  }

  async update(
    id: number,
    campaign: Partial<CampaignInput>,
    replace: boolean,
    actor: CampaignActor,
  ): Promise<CampaignView> {
    return (
      await this.withFigures([await this.rpc.call(campaignsUpdate, { id, campaign, replace, actor }, this.options)])
    )[0];
  }

  async delete(id: number, actor: CampaignActor): Promise<CampaignView> {
    return (await this.withFigures([await this.rpc.call(campaignsDelete, { id, actor }, this.options)]))[0];
  }

  async transition(
    id: number,
    action: CampaignTransition,
    actor: CampaignActor,
    comment?: string | null,
  ): Promise<CampaignView> {
    const campaign = await this.rpc.call(campaignsTransition, { id, action, actor, comment }, this.options);
    return (await this.withFigures([campaign]))[0];
  }

  /**
   * The tracker's list columns of each campaign, in one call per page. A tracker that does not
   * answer leaves them at zero rather than failing the page (campaign-actions has the state).
   */
  private async withFigures(campaigns: Campaign[]): Promise<CampaignView[]> {
    const figures = new Map<string, CampaignFigures>();
    const sent = campaigns.filter((c) => c.lastShipmentAt !== null).map((c) => String(c.id));
    for (let i = 0; i < sent.length; i += 200) {
      const reply = await this.rpc
        .call(trackerCampaignFigures, { campaignIds: sent.slice(i, i + 200) }, { timeoutMs: this.config.rpcTimeoutMs })
        .catch(() => ({ campaigns: [] }));
      for (const { campaignId, ...f } of reply.campaigns) figures.set(campaignId, f);
    }
    return campaigns.map((c) => ({ ...c, stats: figures.get(String(c.id)) ?? NO_FIGURES }));
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

  /** The editor's live count (segments live in preferences). */
  audienceCount(audience: Audience): Promise<{ count: number }> {
    return this.rpc.call(preferencesAudienceCount, { audience }, { timeoutMs: this.config.rpcTimeoutMs });
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
