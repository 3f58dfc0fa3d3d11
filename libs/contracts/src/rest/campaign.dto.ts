import { z } from 'zod';
import { CampaignSchema, CampaignStatusSchema, ShipmentSchema } from '../rpc/campaign.rpc';
import { ListQuerySchema } from './list.dto';

/** GET /api/campaigns: Mautic's list params plus a status filter. */
export const CampaignListRestQuerySchema = ListQuerySchema.pick({
  search: true,
  start: true,
  limit: true,
  orderBy: true,
  orderByDir: true,
}).extend({ status: CampaignStatusSchema.optional() });
export type CampaignListRestQuery = z.infer<typeof CampaignListRestQuerySchema>;

/** POST /api/campaigns/{id}/reject */
export const CampaignRejectBodySchema = z.object({ comment: z.string().max(4000).nullable().optional() });

export const CampaignReplySchema = z.object({ campaign: CampaignSchema });
export const CampaignListReplySchema = z.object({ total: z.number().int(), campaigns: z.array(CampaignSchema) });

/** A shipment as the API shows it: campaign-actions' progress plus the tracker's figures. */
export const ShipmentViewSchema = ShipmentSchema.extend({ sent: z.number().int(), failed: z.number().int() });
export const ShipmentsReplySchema = z.object({ shipments: z.array(ShipmentViewSchema) });
