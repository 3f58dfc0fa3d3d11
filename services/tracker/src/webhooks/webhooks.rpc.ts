import { Injectable } from '@nestjs/common';
import {
  parseOrThrow,
  trackerWebhooksCreate,
  trackerWebhooksDelete,
  trackerWebhooksGet,
  trackerWebhooksList,
  trackerWebhooksUpdate,
  WebhookInputSchema,
  type Webhook,
  type WebhookInput,
} from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { WebhooksRepository } from './webhooks.repository';

@Injectable()
export class WebhooksRpc {
  constructor(private readonly webhooks: WebhooksRepository) {}

  @RpcHandler(trackerWebhooksList)
  list(req: { start: number; limit: number }): Promise<{ total: number; webhooks: Webhook[] }> {
    return this.webhooks.list(req.start, req.limit);
  }

  @RpcHandler(trackerWebhooksGet)
  get(req: { id: number }): Promise<Webhook> {
    return this.webhooks.get(req.id);
  }

  @RpcHandler(trackerWebhooksCreate)
  create(req: { webhook: WebhookInput; createdBy?: string | null }): Promise<Webhook> {
    return this.webhooks.create(req.webhook, req.createdBy ?? null);
  }

  @RpcHandler(trackerWebhooksUpdate)
  update(req: { id: number; webhook: Partial<WebhookInput>; replace: boolean }): Promise<Webhook> {
    const input = req.replace ? parseOrThrow(WebhookInputSchema, req.webhook) : req.webhook;
    return this.webhooks.update(req.id, input, req.replace);
  }

  @RpcHandler(trackerWebhooksDelete)
  delete(req: { id: number }): Promise<Webhook> {
    return this.webhooks.delete(req.id);
  }
}
