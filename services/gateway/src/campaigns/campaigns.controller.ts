import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Res } from '@nestjs/common';
import {
  AudienceCountBodySchema,
  AudienceCountReplySchema,
  CampaignInputSchema,
  CampaignListReplySchema,
  CampaignListRestQuerySchema,
  CampaignPatchSchema,
  CampaignRejectBodySchema,
  CampaignReplySchema,
  ShipmentsReplySchema,
  StatsResponseSchema,
  DomainError,
  type CampaignInput,
  type CampaignListRestQuery,
} from '@switchboard/contracts';
import type { Response } from 'express';
import type { z } from 'zod';
import { CurrentPrincipal, Roles, type Principal } from '../auth';
import { ApiDoc, IdParam, ZodBody, ZodQuery } from '../http';
import { actorOf } from './campaign-actor';
import { CampaignsService } from './campaigns.service';

const tags = ['campaigns'];

/**
 * Broadcast campaigns (DESIGN §7.4): draft → submit → awaiting_approval → approve | reject →
 * scheduled → sending → completed, and cancel. A transition that the status does not allow is a
 * 409; approving one's own submission a 403.
 */
@Controller('api/campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Get()
  @ApiDoc({
    summary: 'List campaigns (search in name and description, status, start, limit, orderBy, orderByDir)',
    tags,
    responses: { 200: CampaignListReplySchema },
  })
  list(@ZodQuery(CampaignListRestQuerySchema) query: CampaignListRestQuery) {
    return this.campaigns.list(query);
  }

  @Post('new')
  @HttpCode(201)
  @ApiDoc({ summary: 'Create a campaign (a draft)', tags, responses: { 201: CampaignReplySchema } })
  async create(
    @ZodBody(CampaignInputSchema) body: CampaignInput,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const campaign = await this.campaigns.create(body, actorOf(principal));
    res.setHeader('location', `/api/campaigns/${campaign.id}`);
    return { campaign };
  }

  @Post('audience/count')
  @HttpCode(200)
  @ApiDoc({
    summary: 'How many contacts an audience (include minus exclude segments, or all) holds now',
    tags,
    body: AudienceCountBodySchema,
    responses: { 200: AudienceCountReplySchema },
  })
  audienceCount(@ZodBody(AudienceCountBodySchema) body: z.infer<typeof AudienceCountBodySchema>) {
    return this.campaigns.audienceCount(body.audience);
  }

  @Get(':id')
  @ApiDoc({ summary: 'One campaign', tags, responses: { 200: CampaignReplySchema, 404: 'Item was not found.' } })
  async get(@IdParam() id: number) {
    return { campaign: await this.campaigns.get(id) };
  }

  @Patch(':id/edit')
  @ApiDoc({
    summary: 'Change the fields given; a submitted or approved campaign goes back to draft',
    tags,
    responses: { 200: CampaignReplySchema },
  })
  async patch(
    @IdParam() id: number,
    @ZodBody(CampaignPatchSchema) body: z.infer<typeof CampaignPatchSchema>,
    @CurrentPrincipal() principal: Principal,
  ) {
    return { campaign: await this.campaigns.update(id, body, false, actorOf(principal)) };
  }

  @Put(':id/edit')
  @ApiDoc({
    summary: 'Replace a campaign; a submitted or approved campaign goes back to draft',
    tags,
    responses: { 200: CampaignReplySchema },
  })
  async put(
    @IdParam() id: number,
    @ZodBody(CampaignInputSchema) body: CampaignInput,
    @CurrentPrincipal() principal: Principal,
  ) {
    return { campaign: await this.campaigns.update(id, body, true, actorOf(principal)) };
  }

  @Delete(':id/delete')
  @ApiDoc({ summary: 'Delete a campaign (not while sending)', tags, responses: { 200: CampaignReplySchema } })
  async delete(@IdParam() id: number, @CurrentPrincipal() principal: Principal) {
    return { campaign: { ...(await this.campaigns.delete(id, actorOf(principal))), id: null } };
  }

  @Post(':id/submit')
  @HttpCode(200)
  @ApiDoc({ summary: 'Submit a draft for approval', tags, responses: { 200: CampaignReplySchema } })
  async submit(@IdParam() id: number, @CurrentPrincipal() principal: Principal) {
    return { campaign: await this.campaigns.transition(id, 'submit', actorOf(principal)) };
  }

  @Post(':id/approve')
  @Roles('approver')
  @HttpCode(200)
  @ApiDoc({
    summary: 'Approve a submitted campaign (an approver other than the submitter): it is scheduled',
    tags,
    responses: { 200: CampaignReplySchema },
  })
  async approve(@IdParam() id: number, @CurrentPrincipal() principal: Principal) {
    return { campaign: await this.campaigns.transition(id, 'approve', actorOf(principal)) };
  }

  @Post(':id/reject')
  @Roles('approver')
  @HttpCode(200)
  @ApiDoc({
    summary: 'Reject a submitted campaign back to draft, with a comment',
    tags,
    responses: { 200: CampaignReplySchema },
  })
  async reject(
    @IdParam() id: number,
    @ZodBody(CampaignRejectBodySchema) body: z.infer<typeof CampaignRejectBodySchema>,
    @CurrentPrincipal() principal: Principal,
  ) {
    return { campaign: await this.campaigns.transition(id, 'reject', actorOf(principal), body.comment) };
  }

  @Post(':id/cancel')
  @Roles('marketer', 'approver')
  @HttpCode(200)
  @ApiDoc({
    summary: 'Cancel a scheduled or sending campaign: sends not yet dispatched are stopped',
    tags,
    responses: { 200: CampaignReplySchema },
  })
  async cancel(@IdParam() id: number, @CurrentPrincipal() principal: Principal) {
    return { campaign: await this.campaigns.transition(id, 'cancel', actorOf(principal)) };
  }

  @Get(':id/shipments')
  @ApiDoc({
    summary: 'The runs of a campaign, newest first, with their progress',
    tags,
    responses: { 200: ShipmentsReplySchema },
  })
  shipments(@IdParam() id: number) {
    return this.campaigns.shipments(id);
  }

  @Get(':id/shipments/:shipmentId/stats')
  @ApiDoc({
    summary: "The figures of one shipment per channel, in total and per UTC day (as a campaign's)",
    tags,
    responses: { 200: StatsResponseSchema },
  })
  async shipmentStats(@IdParam() id: number, @Param('shipmentId') shipmentId: string) {
    if (!/^[A-Za-z0-9._:-]{1,200}$/.test(shipmentId)) throw DomainError.notFound();
    return { stats: await this.campaigns.shipmentStats(id, shipmentId) };
  }
}
