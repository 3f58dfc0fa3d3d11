import { Controller, Delete, Get, HttpCode, Inject, Patch, Post, Put } from '@nestjs/common';
import {
  ListQuerySchema,
  trackerWebhooksCreate,
  trackerWebhooksDelete,
  trackerWebhooksGet,
  trackerWebhooksList,
  trackerWebhooksUpdate,
  WebhookResponseSchema,
  WebhookRestInputSchema,
  WebhookRestPatchSchema,
  WebhooksResponseSchema,
  type ListQuery,
  type WebhookInput,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/public.decorator';
import type { GatewayConfig } from '../gateway.config';
import { ApiDoc, IdParam, ZodBody, ZodQuery } from '../http';

const tags = ['webhooks'];

/**
 * Outbound webhooks for delivery and routing events (admins only). Each POST carries
 * `x-switchboard-signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 */
@AdminOnly()
@Controller('api/webhooks')
export class WebhooksController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  private get options() {
    return { timeoutMs: this.config.rpcTimeoutMs };
  }

  @Get()
  @ApiDoc({ summary: 'List webhooks (`start`, `limit`)', tags, responses: { 200: WebhooksResponseSchema } })
  list(@ZodQuery(ListQuerySchema) q: ListQuery) {
    return this.rpc.call(trackerWebhooksList, { start: q.start ?? 0, limit: q.limit ?? 30 }, this.options);
  }

  @Post('new')
  @HttpCode(201)
  @ApiDoc({
    summary: 'Register a webhook: `name`, `webhookUrl`, `triggers` (e.g. `delivery.*`, `routing.failed`), `secret`?',
    tags,
    responses: { 201: WebhookResponseSchema },
  })
  async create(@ZodBody(WebhookRestInputSchema) body: WebhookInput, @CurrentPrincipal() principal?: Principal) {
    return {
      webhook: await this.rpc.call(
        trackerWebhooksCreate,
        { webhook: body, createdBy: principal?.name ?? null },
        this.options,
      ),
    };
  }

  @Get(':id')
  @ApiDoc({
    summary: 'One webhook, with its pending and failed deliveries',
    tags,
    responses: { 200: WebhookResponseSchema },
  })
  async get(@IdParam() id: number) {
    return { webhook: await this.rpc.call(trackerWebhooksGet, { id }, this.options) };
  }

  @Patch(':id/edit')
  @ApiDoc({ summary: 'Change the fields given', tags, responses: { 200: WebhookResponseSchema } })
  async patch(@IdParam() id: number, @ZodBody(WebhookRestPatchSchema) body: Partial<WebhookInput>) {
    return { webhook: await this.rpc.call(trackerWebhooksUpdate, { id, webhook: body, replace: false }, this.options) };
  }

  @Put(':id/edit')
  @ApiDoc({
    summary: 'Replace every field (the secret stays unless given)',
    tags,
    responses: { 200: WebhookResponseSchema },
  })
  async put(@IdParam() id: number, @ZodBody(WebhookRestInputSchema) body: WebhookInput) {
    return { webhook: await this.rpc.call(trackerWebhooksUpdate, { id, webhook: body, replace: true }, this.options) };
  }

  @Delete(':id/delete')
  @ApiDoc({
    summary: 'Delete a webhook (its queued deliveries go with it)',
    tags,
    responses: { 200: WebhookResponseSchema },
  })
  async delete(@IdParam() id: number) {
    return { webhook: await this.rpc.call(trackerWebhooksDelete, { id }, this.options) };
  }
}
