import { Injectable } from '@nestjs/common';
import {
  catalogContentGet,
  catalogEmailMessage,
  catalogItemBatch,
  catalogItemDelete,
  catalogItemGet,
  catalogItemList,
  catalogItemSave,
  catalogIncentiveCodesAdd,
  catalogIncentivesClaim,
  catalogMessagesRoutable,
  DomainError,
  HTTP_STATUS_BY_CODE,
  type CatalogChanged,
  type CatalogKind,
  type ItemError,
} from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import type { z } from 'zod';
import { CategoriesService } from '../categories/categories.service';
import { CatalogChangesPublisher } from '../changes/catalog-changes.publisher';
import { ContentService } from '../content/content.service';
import { IncentivesService } from '../incentives/incentives.service';
import { MessagesService } from '../messages/messages.service';
import { TemplatesService } from '../templates/templates.service';
import type { ItemService } from './item-service';

type Req<C extends { request: z.ZodType }> = z.infer<C['request']>;

function itemError(error: unknown): ItemError {
  if (error instanceof DomainError) {
    return { code: HTTP_STATUS_BY_CODE[error.code] ?? 500, message: error.message, details: error.details };
  }
  throw error;
}

/** The catalog's request/reply edge: parse (done by the contract), pick the kind's service, call it. */
@Injectable()
export class CatalogRpcHandler {
  private readonly services: Record<CatalogKind, ItemService>;

  constructor(
    private readonly messages: MessagesService,
    private readonly content: ContentService,
    categories: CategoriesService,
    templates: TemplatesService,
    private readonly incentives: IncentivesService,
    private readonly changesPublisher: CatalogChangesPublisher,
  ) {
    this.services = {
      message: messages,
      email: content.forType('email'),
      sms: content.forType('sms'),
      notification: content.forType('notification'),
      tweet: content.forType('tweet'),
      inapp: content.forType('inapp'),
      category: categories,
      template: templates,
      incentive: incentives,
    };
  }

  @RpcHandler(catalogItemGet)
  async get(req: Req<typeof catalogItemGet>) {
    return { item: await this.services[req.kind].get(req.id) };
  }

  @RpcHandler(catalogItemList)
  list(req: Req<typeof catalogItemList>) {
    return this.services[req.kind].list(req.query);
  }

  @RpcHandler(catalogItemSave)
  save(req: Req<typeof catalogItemSave>) {
    return this.services[req.kind].save(req.mode, req.id, req.input, req.actor);
  }

  @RpcHandler(catalogItemDelete)
  async delete(req: Req<typeof catalogItemDelete>) {
    return { item: await this.services[req.kind].delete(req.id) };
  }

  /** Each item on its own (one failure does not stop the rest), with Mautic's per-item status codes. */
  @RpcHandler(catalogItemBatch)
  async batch(req: Req<typeof catalogItemBatch>) {
    const service = this.services[req.kind];
    const changes: CatalogChanged[] = [];
    const results = [];
    for (const entry of req.items) {
      try {
        if (req.op === 'delete') {
          const id = Number(entry);
          if (!Number.isInteger(id) || id < 1) throw DomainError.notFound();
          // Mautic renders a batch's items before deleting them, so each keeps its id (a single delete answers id null).
          results.push({ status: 200, item: { ...(await service.delete(id, changes)), id } });
          continue;
        }
        if (!entry || typeof entry !== 'object' || Array.isArray(entry))
          throw DomainError.validation({ '': ['An item is an object.'] });
        const input = entry as Record<string, unknown>;
        let id: number | undefined;
        if (req.op !== 'create') {
          id =
            typeof input.id === 'number'
              ? input.id
              : typeof input.id === 'string' && /^\d{1,10}$/.test(input.id)
                ? Number(input.id)
                : undefined;
          if (id === undefined || id < 1) {
            if (req.op === 'patch') throw DomainError.validation({ id: ['An id is required.'] });
          }
        }
        const { item, created } = await service.save(req.op, id, input, req.actor, changes);
        results.push({ status: created ? 201 : 200, item });
      } catch (error) {
        const e = itemError(error);
        results.push({ status: e.code, error: e });
      }
    }
    await this.changesPublisher.changed(changes);
    return { results };
  }

  @RpcHandler(catalogMessagesRoutable)
  async routable(req: Req<typeof catalogMessagesRoutable>) {
    return { messages: await this.messages.routable(req.ids) };
  }

  @RpcHandler(catalogIncentiveCodesAdd)
  addIncentiveCodes(req: Req<typeof catalogIncentiveCodesAdd>) {
    return this.incentives.addCodes(req.id, req.codes);
  }

  @RpcHandler(catalogIncentivesClaim)
  async claimIncentives(req: Req<typeof catalogIncentivesClaim>) {
    return { codes: await this.incentives.claim(req.claims) };
  }

  @RpcHandler(catalogContentGet)
  contentGet(req: Req<typeof catalogContentGet>) {
    return this.content.contentItem(req.type, req.id);
  }

  @RpcHandler(catalogEmailMessage)
  async emailMessage(req: Req<typeof catalogEmailMessage>) {
    const email = await this.content.contentItem('email', req.emailId);
    return { messageId: await this.messages.emailMessage(email.id, email.name), email };
  }
}
