import { Controller, Delete, Get, HttpCode, Patch, Post, Put, Res, type Type } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import {
  BATCH_LIMIT,
  BatchIdsQuerySchema,
  DomainError,
  ListQuerySchema,
  type CatalogKind,
  type ListQuery,
} from '@switchboard/contracts';
import { CurrentPrincipal, type Principal } from '../auth/public.decorator';
import { ApiDoc, IdParam, JSON_CONTENT_TYPE, ZodBody, ZodQuery } from '../http';
import { CatalogClient, type Item } from './catalog.client';

export interface CrudOptions {
  kind: CatalogKind;
  /** URL segment under /api (`messages`, `emails`...). */
  path: string;
  /** JSON keys of one item and of a list (`message` / `messages`). */
  item: string;
  list: string;
  /** POST/PUT body (required fields) and PATCH body (everything optional). */
  createSchema: z.ZodType;
  patchSchema: z.ZodType;
  viewSchema: z.ZodType;
  tag: string;
}

const BatchBody = z
  .array(z.record(z.string(), z.unknown()), { error: 'The body is a list of items.' })
  .max(BATCH_LIMIT, `A max of ${BATCH_LIMIT} entities are supported at a time.`);

type BatchResult = {
  status: number;
  item?: Item;
  error?: { code: number; message: string; details: Record<string, string[]> };
};

/** Mautic's batch reply: the items that succeeded, a status per input, and errors keyed by input index. */
function batchReply(key: string, results: BatchResult[]): Record<string, unknown> {
  const errors: Record<string, unknown> = {};
  results.forEach((r, i) => {
    if (r.error) errors[i] = { ...r.error, type: null };
  });
  return {
    [key]: results.filter((r) => r.item).map((r) => r.item),
    statusCodes: results.map((r) => r.status),
    ...(Object.keys(errors).length ? { errors } : {}),
  };
}

/**
 * The Mautic-compatible verbs of one catalog kind (DESIGN §7.1): list, get, new, PUT/PATCH edit,
 * delete, and the batch endpoints. Batch routes are declared first so `batch/edit` never reads as `{id}/edit`.
 */
export function crudController(o: CrudOptions): Type {
  const itemReply = z.object({ [o.item]: o.viewSchema });
  const listReply = z.object({ total: z.number().int(), [o.list]: z.array(o.viewSchema) });
  const batchReplySchema = z.object({
    [o.list]: z.array(o.viewSchema),
    statusCodes: z.array(z.number().int()),
    errors: z.record(z.string(), z.unknown()).optional(),
  });
  const tags = [o.tag];

  @Controller(`api/${o.path}`)
  class CrudController {
    constructor(readonly catalog: CatalogClient) {}

    @Post('batch/new')
    @HttpCode(201)
    @ApiDoc({
      summary: `Create up to ${BATCH_LIMIT} ${o.list}`,
      tags,
      body: z.array(o.createSchema).max(BATCH_LIMIT),
      responses: { 201: batchReplySchema },
    })
    async batchNew(@ZodBody(BatchBody) items: Record<string, unknown>[], @CurrentPrincipal() principal: Principal) {
      return batchReply(o.list, (await this.catalog.batch(o.kind, 'create', items, principal)).results);
    }

    @Put('batch/edit')
    @ApiDoc({
      summary: `Replace up to ${BATCH_LIMIT} ${o.list} (each with its id; missing ones are created)`,
      tags,
      body: z.array(o.createSchema).max(BATCH_LIMIT),
      responses: { 200: batchReplySchema },
    })
    async batchPut(@ZodBody(BatchBody) items: Record<string, unknown>[], @CurrentPrincipal() principal: Principal) {
      return batchReply(o.list, (await this.catalog.batch(o.kind, 'put', items, principal)).results);
    }

    @Patch('batch/edit')
    @ApiDoc({
      summary: `Edit up to ${BATCH_LIMIT} ${o.list} (each with its id)`,
      tags,
      body: z.array(o.patchSchema).max(BATCH_LIMIT),
      responses: { 200: batchReplySchema },
    })
    async batchPatch(@ZodBody(BatchBody) items: Record<string, unknown>[], @CurrentPrincipal() principal: Principal) {
      return batchReply(o.list, (await this.catalog.batch(o.kind, 'patch', items, principal)).results);
    }

    @Delete('batch/delete')
    @ApiDoc({
      summary: `Delete up to ${BATCH_LIMIT} ${o.list} (?ids=1,2 or ?ids[]=1); answers with them as they were, ids included`,
      tags,
      responses: { 200: batchReplySchema },
    })
    async batchDelete(
      @ZodQuery(BatchIdsQuerySchema) query: z.infer<typeof BatchIdsQuerySchema>,
      @CurrentPrincipal() principal: Principal,
    ) {
      if (query.ids.length > BATCH_LIMIT)
        throw DomainError.validation({ ids: [`A max of ${BATCH_LIMIT} entities are supported at a time.`] });
      return batchReply(o.list, (await this.catalog.batch(o.kind, 'delete', query.ids, principal)).results);
    }

    @Get()
    @ApiDoc({ summary: `List ${o.list}`, tags, responses: { 200: listReply } })
    async list(@ZodQuery(ListQuerySchema) query: ListQuery, @Res({ passthrough: true }) res: Response) {
      res.setHeader('content-type', JSON_CONTENT_TYPE);
      return this.catalog.listReply(o.kind, query, o.list);
    }

    @Get(':id')
    @ApiDoc({ summary: `Get one ${o.item}`, tags, responses: { 200: itemReply, 404: 'Item was not found.' } })
    async get(@IdParam() id: number, @Res({ passthrough: true }) res: Response) {
      res.setHeader('content-type', JSON_CONTENT_TYPE);
      return this.catalog.getReply(o.kind, id, o.item);
    }

    @Post('new')
    @HttpCode(201)
    @ApiDoc({ summary: `Create a ${o.item}`, tags, responses: { 201: itemReply } })
    async create(
      @ZodBody(o.createSchema) body: Record<string, unknown>,
      @CurrentPrincipal() principal: Principal,
      @Res({ passthrough: true }) res: Response,
    ) {
      const { item } = await this.catalog.save(o.kind, 'create', undefined, body, principal);
      res.setHeader('location', `/api/${o.path}/${String(item.id)}`);
      return { [o.item]: item };
    }

    @Put(':id/edit')
    @ApiDoc({
      summary: `Replace a ${o.item} (omitted fields cleared); creates it when missing (201)`,
      tags,
      responses: { 200: itemReply, 201: itemReply },
    })
    async put(
      @IdParam() id: number,
      @ZodBody(o.createSchema) body: Record<string, unknown>,
      @CurrentPrincipal() principal: Principal,
      @Res({ passthrough: true }) res: Response,
    ) {
      const { item, created } = await this.catalog.save(o.kind, 'put', id, body, principal);
      if (created) res.status(201).setHeader('location', `/api/${o.path}/${String(item.id)}`);
      return { [o.item]: item };
    }

    @Patch(':id/edit')
    @ApiDoc({
      summary: `Edit a ${o.item} (omitted fields stay)`,
      tags,
      responses: { 200: itemReply, 404: 'Item was not found.' },
    })
    async patch(
      @IdParam() id: number,
      @ZodBody(o.patchSchema) body: Record<string, unknown>,
      @CurrentPrincipal() principal: Principal,
    ) {
      return { [o.item]: (await this.catalog.save(o.kind, 'patch', id, body, principal)).item };
    }

    @Delete(':id/delete')
    @ApiDoc({
      summary: `Delete a ${o.item} (returned with id null)`,
      tags,
      responses: { 200: itemReply, 404: 'Item was not found.' },
    })
    async remove(@IdParam() id: number) {
      return { [o.item]: await this.catalog.delete(o.kind, id) };
    }
  }

  const name = `${o.path.charAt(0).toUpperCase()}${o.path.slice(1)}Controller`;
  Object.defineProperty(CrudController, 'name', { value: name });
  return CrudController;
}
