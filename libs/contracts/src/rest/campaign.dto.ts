import { z } from 'zod';
import { CampaignSchema, CampaignStatusSchema, ShipmentSchema } from '../rpc/campaign.rpc';
import { AudienceSchema } from '../rpc/audience.rpc';
import { CampaignFiguresSchema } from '../rpc/tracker.rpc';
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

/** A campaign as the API shows it: campaign-actions' record plus the tracker's list columns (`stats`). */
export const CampaignViewSchema = CampaignSchema.extend({ stats: CampaignFiguresSchema });
export type CampaignView = z.infer<typeof CampaignViewSchema>;
export const CampaignReplySchema = z.object({ campaign: CampaignViewSchema });
export const CampaignListReplySchema = z.object({ total: z.number().int(), campaigns: z.array(CampaignViewSchema) });

/** A shipment as the API shows it: campaign-actions' progress plus the tracker's figures. */
export const ShipmentViewSchema = ShipmentSchema.extend({ sent: z.number().int(), failed: z.number().int() });
export const ShipmentsReplySchema = z.object({ shipments: z.array(ShipmentViewSchema) });

/** POST /api/campaigns/audience/count: how many contacts an audience holds now (the editor's live count). */
export const AudienceCountBodySchema = z.object({ audience: AudienceSchema });
export const AudienceCountReplySchema = z.object({ count: z.number().int().min(0) });
