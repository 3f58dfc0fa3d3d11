import { Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import {
  BATCH_LIMIT,
  BatchIdsQuerySchema,
  ContactIdSchema,
  ContactListReplySchema,
  DomainError,
  ImportViewSchema,
  IntInput,
  ListQuerySchema,
  mauticListReplySchema,
  SegmentContactsAddSchema,
  SegmentCreateSchema,
  SegmentFiltersInputSchema,
  SegmentPatchSchema,
  SegmentViewSchema,
  type Actor,
  type ListQuery,
  type SegmentCreate,
  type SegmentFilterInput,
  type SegmentPatch,
} from '@switchboard/contracts';
import { CurrentPrincipal, type Principal } from '../auth/public.decorator';
import { ApiDoc, IdParam, JSON_CONTENT_TYPE, mauticListJson, ZodBody, ZodQuery } from '../http';
import { csvBody } from './csv-upload';
import { SegmentsService, type BatchResult } from './segments.service';

const tags = ['segments'];
const ItemReply = z.object({ list: SegmentViewSchema });
const ListReply = mauticListReplySchema('lists', SegmentViewSchema, 'byId');
const BatchReply = z.object({
  lists: z.array(SegmentViewSchema),
  statusCodes: z.array(z.number().int()),
  errors: z.record(z.string(), z.unknown()).optional(),
});
const BatchBody = z
  .array(z.record(z.string(), z.unknown()), { error: 'The body is a list of items.' })
  .max(BATCH_LIMIT, `A max of ${BATCH_LIMIT} entities are supported at a time.`);
const PageQuery = z.object({
  start: IntInput.optional(),
  limit: IntInput.pipe(z.number().min(1).max(1000, 'At most 1000 contacts per page.')).optional(),
});
const PreviewBody = z.object({ filters: SegmentFiltersInputSchema });

const actorOf = (p: Principal | undefined): Actor => ({ id: p?.id ?? null, name: p?.name ?? null });

function batchReply(results: BatchResult[]) {
  const errors: Record<string, unknown> = {};
  results.forEach((r, i) => {
    if (r.error) errors[i] = { ...r.error, type: null };
  });
  return {
    lists: results.filter((r) => r.item).map((r) => r.item),
    statusCodes: results.map((r) => r.status),
    ...(Object.keys(errors).length ? { errors } : {}),
  };
}

function contactId(id: string): string {
  if (!ContactIdSchema.safeParse(id).success) throw DomainError.notFound();
  return id;
}

/** Segments (Mautic's `/api/segments`, item key `list`, list key `lists`; DESIGN §7.4). Batch routes first. */
@Controller('api/segments')
export class SegmentsController {
  constructor(private readonly segments: SegmentsService) {}

  @Post('batch/new')
  @HttpCode(201)
  @ApiDoc({ summary: `Create up to ${BATCH_LIMIT} segments`, tags, responses: { 201: BatchReply } })
  async batchNew(@ZodBody(BatchBody) items: unknown[], @CurrentPrincipal() p: Principal) {
    return batchReply(await this.segments.batch('create', items, actorOf(p)));
  }

  @Put('batch/edit')
  @ApiDoc({
    summary: `Replace up to ${BATCH_LIMIT} segments (missing ones created)`,
    tags,
    responses: { 200: BatchReply },
  })
  async batchPut(@ZodBody(BatchBody) items: unknown[], @CurrentPrincipal() p: Principal) {
    return batchReply(await this.segments.batch('put', items, actorOf(p)));
  }

  @Patch('batch/edit')
  @ApiDoc({ summary: `Edit up to ${BATCH_LIMIT} segments`, tags, responses: { 200: BatchReply } })
  async batchPatch(@ZodBody(BatchBody) items: unknown[], @CurrentPrincipal() p: Principal) {
    return batchReply(await this.segments.batch('patch', items, actorOf(p)));
  }

  @Delete('batch/delete')
  @ApiDoc({ summary: 'Delete segments (?ids=1,2); answers them as they were', tags, responses: { 200: BatchReply } })
  async batchDelete(
    @ZodQuery(BatchIdsQuerySchema) query: z.infer<typeof BatchIdsQuerySchema>,
    @CurrentPrincipal() p: Principal,
  ) {
    if (query.ids.length > BATCH_LIMIT)
      throw DomainError.validation({ ids: [`A max of ${BATCH_LIMIT} entities are supported at a time.`] });
    return batchReply(await this.segments.batch('delete', query.ids, actorOf(p)));
  }

  @Post('count')
  @HttpCode(200)
  @ApiDoc({ summary: 'How many contacts these filters match now (the live count)', tags, body: PreviewBody })
  async count(@ZodBody(PreviewBody) body: { filters: SegmentFilterInput[] }) {
    return { count: await this.segments.preview(body.filters) };
  }

  @Get()
  @ApiDoc({
    summary:
      'List segments (Mautic list params: search, start, limit, orderBy, orderByDir, published, minimal, where); `lists` keyed by id',
    tags,
    responses: { 200: ListReply },
  })
  @Header('content-type', JSON_CONTENT_TYPE)
  async list(@ZodQuery(ListQuerySchema) q: ListQuery) {
    const { total, segments } = await this.segments.list({
      search: q.search,
      start: q.start ?? 0,
      limit: q.limit ?? 30,
      orderBy: q.orderBy,
      orderByDir: q.orderByDir ?? 'asc',
      publishedOnly: Boolean(q.published || q.publishedOnly),
      where: q.where,
    });
    // Mautic's minimal list: the list fields and the audit fields, without filters and flags.
    const shown = q.minimal
      ? segments.map(({ filters: _f, isGlobal: _g, isPreferenceCenter: _p, ...minimal }) => minimal)
      : segments;
    return mauticListJson('byId', 'lists', total, shown);
  }

  @Get(':id')
  @ApiDoc({ summary: 'Get one segment', tags, responses: { 200: ItemReply, 404: 'Item was not found.' } })
  async get(@IdParam() id: number) {
    return { list: await this.segments.get(id) };
  }

  @Post('new')
  @HttpCode(201)
  @ApiDoc({ summary: 'Create a segment (alias made from the name when absent)', tags, responses: { 201: ItemReply } })
  async create(
    @ZodBody(SegmentCreateSchema) body: SegmentCreate,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { segment } = await this.segments.save('create', undefined, body, actorOf(p));
    res.setHeader('location', `/api/segments/${String(segment.id)}`);
    return { list: segment };
  }

  @Put(':id/edit')
  @ApiDoc({
    summary: 'Replace a segment; creates it when missing (201)',
    tags,
    responses: { 200: ItemReply, 201: ItemReply },
  })
  async put(
    @IdParam() id: number,
    @ZodBody(SegmentCreateSchema) body: SegmentCreate,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { segment, created } = await this.segments.save('put', id, body, actorOf(p));
    if (created) res.status(201).setHeader('location', `/api/segments/${String(segment.id)}`);
    return { list: segment };
  }

  @Patch(':id/edit')
  @ApiDoc({
    summary: 'Edit a segment (omitted fields stay)',
    tags,
    responses: { 200: ItemReply, 404: 'Item was not found.' },
  })
  async patch(
    @IdParam() id: number,
    @ZodBody(SegmentPatchSchema) body: SegmentPatch,
    @CurrentPrincipal() p: Principal,
  ) {
    return { list: (await this.segments.save('patch', id, body, actorOf(p))).segment };
  }

  @Delete(':id/delete')
  @ApiDoc({
    summary: 'Delete a segment (returned with id null); its membership goes',
    tags,
    responses: { 200: ItemReply },
  })
  async remove(@IdParam() id: number) {
    return { list: { ...(await this.segments.delete(id)), id: null } };
  }

  @Post(':id/contact/:contactId/add')
  @HttpCode(200)
  @ApiDoc({ summary: 'Add a contact to a segment by hand', tags })
  async addContact(@IdParam() id: number, @Param('contactId') cid: string) {
    return this.one(id, cid, 'add');
  }

  @Post(':id/contact/:contactId/remove')
  @HttpCode(200)
  @ApiDoc({ summary: 'Remove a contact from a segment (kept out even when the filters match)', tags })
  async removeContact(@IdParam() id: number, @Param('contactId') cid: string) {
    return this.one(id, cid, 'remove');
  }

  @Post(':id/contacts/add')
  @HttpCode(200)
  @ApiDoc({ summary: 'Add contacts by id ({"ids": [...]}, ≤ 1000); details per id', tags })
  async addContacts(@IdParam() id: number, @ZodBody(SegmentContactsAddSchema) body: { ids: string[] }) {
    const valid = body.ids.filter((cid) => ContactIdSchema.safeParse(cid).success);
    const done = new Set(valid.length ? await this.segments.members(id, 'add', valid) : []);
    if (!valid.length) await this.segments.get(id);
    return { success: 1, details: Object.fromEntries(body.ids.map((cid) => [cid, { success: done.has(cid) }])) };
  }

  @Get(':id/contacts')
  @ApiDoc({
    summary: "A segment's contacts (static and dynamic), paged by start/limit",
    tags,
    responses: { 200: ContactListReplySchema },
  })
  async contacts(@IdParam() id: number, @ZodQuery(PageQuery) q: z.infer<typeof PageQuery>) {
    return this.segments.contacts(id, q.start ?? 0, q.limit ?? 30);
  }

  @Post(':id/import')
  @HttpCode(202)
  @ApiDoc({
    summary: 'Import a CSV into the segment (text/csv or multipart/form-data; header row; `,` or `;`)',
    tags,
    responses: { 202: z.object({ import: ImportViewSchema }) },
  })
  async importCsv(@IdParam() id: number, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const view = await this.segments.importCsv(id, await csvBody(req));
    res.setHeader('location', `/api/imports/${view.id}`);
    return { import: view };
  }

  private async one(id: number, cid: string, action: 'add' | 'remove') {
    const done = await this.segments.members(id, action, [contactId(cid)]);
    if (done.length === 0) throw DomainError.notFound();
    return { success: 1 };
  }
}

/** `GET /api/imports/{id}`: an import's status, counters and first 1,000 errors. */
@Controller('api/imports')
export class ImportsController {
  constructor(private readonly segments: SegmentsService) {}

  @Get(':id')
  @ApiDoc({
    summary: 'A CSV import: status, progress, counters, errors [{row, message}]',
    tags,
    responses: { 200: z.object({ import: ImportViewSchema }) },
  })
  async get(@IdParam() id: number) {
    return { import: await this.segments.getImport(id) };
  }
}
