import { Controller, Delete, Get, HttpCode, Inject, Patch, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import {
  catalogIncentiveCodesAdd,
  catalogItemDelete,
  catalogItemGet,
  catalogItemList,
  catalogItemSave,
  IncentiveCodesReplySchema,
  IncentiveCreateSchema,
  IncentiveInputSchema,
  IncentiveViewSchema,
  ListQuerySchema,
  type ListQuery,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { CurrentPrincipal, type Principal } from '../auth/public.decorator';
import { actorOf } from '../catalog/catalog.client';
import type { GatewayConfig } from '../gateway.config';
import { ApiDoc, IdParam, ZodBody, ZodQuery } from '../http';
import { csvBody } from '../segments/csv-upload';
import { uploadCodes } from './code-upload';

const tags = ['incentives'];
const itemReply = z.object({ incentive: IncentiveViewSchema });

/**
 * `/api/incentives` (DESIGN §7.2): coupon pools with Mautic's verbs. Unlike other catalog items
 * they are never served from the gateway's cache: `codesLeft` changes with every send.
 */
@Controller('api/incentives')
export class IncentivesController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  private get options() {
    return { timeoutMs: this.config.rpcTimeoutMs };
  }

  @Get()
  @ApiDoc({
    summary: 'List incentives (coupon pools) with the codes left in each',
    tags,
    responses: { 200: z.object({ total: z.number().int(), incentives: z.array(IncentiveViewSchema) }) },
  })
  async list(@ZodQuery(ListQuerySchema) query: ListQuery) {
    const { total, items } = await this.rpc.call(catalogItemList, { kind: 'incentive', query }, this.options);
    return { total, incentives: items };
  }

  @Get(':id')
  @ApiDoc({ summary: 'Get one incentive', tags, responses: { 200: itemReply, 404: 'Item was not found.' } })
  async get(@IdParam() id: number) {
    return { incentive: (await this.rpc.call(catalogItemGet, { kind: 'incentive', id }, this.options)).item };
  }

  @Post('new')
  @HttpCode(201)
  @ApiDoc({ summary: 'Create an incentive (an empty pool; add codes next)', tags, responses: { 201: itemReply } })
  async create(
    @ZodBody(IncentiveCreateSchema) body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { item } = await this.rpc.call(
      catalogItemSave,
      { kind: 'incentive', mode: 'create', input: body, actor: actorOf(principal) },
      this.options,
    );
    res.setHeader('location', `/api/incentives/${String(item.id)}`);
    return { incentive: item };
  }

  @Patch(':id/edit')
  @ApiDoc({ summary: 'Edit an incentive (omitted fields stay)', tags, responses: { 200: itemReply } })
  async patch(
    @IdParam() id: number,
    @ZodBody(IncentiveInputSchema) body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
  ) {
    const { item } = await this.rpc.call(
      catalogItemSave,
      { kind: 'incentive', mode: 'patch', id, input: body, actor: actorOf(principal) },
      this.options,
    );
    return { incentive: item };
  }

  @Delete(':id/delete')
  @ApiDoc({
    summary: 'Delete an incentive and its codes (409 while content takes codes from it)',
    tags,
    responses: { 200: itemReply },
  })
  async remove(@IdParam() id: number) {
    return { incentive: (await this.rpc.call(catalogItemDelete, { kind: 'incentive', id }, this.options)).item };
  }

  @Post(':id/codes')
  @HttpCode(200)
  @ApiDoc({
    summary:
      'Add codes: one per line (`text/plain`) or a one-column CSV (`text/csv`, optional `code` header, or a multipart file); bad rows reported by line',
    tags,
    responses: { 200: IncentiveCodesReplySchema },
  })
  async addCodes(@IdParam() id: number, @Req() req: Request) {
    // A missing pool is a 404 before any of the body is read.
    await this.rpc.call(catalogItemGet, { kind: 'incentive', id }, this.options);
    return uploadCodes(await csvBody(req), (codes) =>
      this.rpc.call(catalogIncentiveCodesAdd, { id, codes }, this.options),
    );
  }
}
