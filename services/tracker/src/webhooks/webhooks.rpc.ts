import { Injectable } from '@nestjs/common';
import {
  DomainError,
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
import { AddressPolicy } from './address-policy';
import { WebhooksRepository } from './webhooks.repository';

@Injectable()
export class WebhooksRpc {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly policy: AddressPolicy,
  ) {}

  /** Internal targets are refused on save (and again on every connection, by the dispatcher). */
  private checkTarget(input: Partial<WebhookInput>): void {
    if (input.webhookUrl === undefined) return;
    const refused = this.policy.urlRefusal(input.webhookUrl);
    if (refused) {
      throw DomainError.validation({
        webhookUrl: [`Webhooks may not call internal addresses (${refused}); an operator can allow it.`],
      });
    }
  }

  @RpcHandler(trackerWebhooksList)
  list(req: { start: number; limit: number }): Promise<{ total: number; webhooks: Webhook[] }> {
    return this.webhooks.list(req.start, req.limit);
  }

  @RpcHandler(trackerWebhooksGet)
  get(req: { id: number }): Promise<Webhook> {
    return this.webhooks.get(req.id);
  }

  @RpcHandler(trackerWebhooksCreate)
  async create(req: { webhook: WebhookInput; createdBy?: string | null }): Promise<Webhook> {
    this.checkTarget(req.webhook);
    return this.webhooks.create(req.webhook, req.createdBy ?? null);
  }

  @RpcHandler(trackerWebhooksUpdate)
  async update(req: { id: number; webhook: Partial<WebhookInput>; replace: boolean }): Promise<Webhook> {
    const input = req.replace ? parseOrThrow(WebhookInputSchema, req.webhook) : req.webhook;
    this.checkTarget(input);
    return this.webhooks.update(req.id, input, req.replace);
  }

  @RpcHandler(trackerWebhooksDelete)
  delete(req: { id: number }): Promise<Webhook> {
    return this.webhooks.delete(req.id);
  }
}
