import { Injectable } from '@nestjs/common';
import {
  campaignsCreate,
  campaignsDelete,
  campaignsGet,
  campaignsList,
  campaignsShipments,
  campaignsTransition,
  campaignsUpdate,
  DomainError,
  type Campaign,
  type Shipment,
} from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import type { z } from 'zod';
import { ShipmentsRepository } from '../shipments/shipments.repository';
import { CampaignsService } from './campaigns.service';

type Req<C extends { request: z.ZodType }> = z.infer<C['request']>;

/** sb.rpc.campaign-actions.campaigns.* — the gateway's /api/campaigns. */
@Injectable()
export class CampaignsRpc {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly shipments: ShipmentsRepository,
  ) {}

  @RpcHandler(campaignsList)
  list(req: Req<typeof campaignsList>): Promise<{ total: number; campaigns: Campaign[] }> {
    return this.campaigns.list(req);
  }

  @RpcHandler(campaignsGet)
  get(req: Req<typeof campaignsGet>): Promise<Campaign> {
    return this.campaigns.get(req.id);
  }

  @RpcHandler(campaignsCreate)
  create(req: Req<typeof campaignsCreate>): Promise<Campaign> {
    return this.campaigns.create(req.campaign, req.actor);
  }

  @RpcHandler(campaignsUpdate)
  update(req: Req<typeof campaignsUpdate>): Promise<Campaign> {
    return this.campaigns.update(req.id, req.campaign, req.replace, req.actor);
  }

  @RpcHandler(campaignsDelete)
  delete(req: Req<typeof campaignsDelete>): Promise<Campaign> {
    return this.campaigns.delete(req.id, req.actor);
  }

  @RpcHandler(campaignsTransition)
  transition(req: Req<typeof campaignsTransition>): Promise<Campaign> {
    return this.campaigns.transition(req.id, req.action, req.actor, req.comment);
  }

  @RpcHandler(campaignsShipments)
  async shipmentsOf(req: Req<typeof campaignsShipments>): Promise<{ shipments: Shipment[] }> {
    await this.campaigns.get(req.id).catch((error: unknown) => {
      throw error instanceof DomainError ? error : DomainError.notFound();
    });
    return { shipments: await this.shipments.listOf(req.id) };
  }
}
