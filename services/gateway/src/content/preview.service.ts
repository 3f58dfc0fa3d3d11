import { Inject, Injectable } from '@nestjs/common';
import { Liquid } from 'liquidjs';
import { catalogContentGet, CONTENT_FIELDS, DomainError, preferencesContactsGet, type ContentType } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { GatewayConfig } from '../gateway.config';

const LIMITS = { parseLimit: 1_000_000, memoryLimit: 16_000_000, ownPropertyOnly: true, strictFilters: true } as const;

/**
 * Renders a content item's Liquid fields as a sender would (same engine options, HTML fields
 * escaped), for a stored contact or for sample fields.
 */
@Injectable()
export class PreviewService {
  private readonly engines = { text: new Liquid(LIMITS), html: new Liquid({ ...LIMITS, outputEscape: 'escape' }) };

  constructor(
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async preview(type: ContentType, id: number, request: { contactId?: string; fields?: Record<string, unknown> }): Promise<Record<string, unknown>> {
    const item = await this.rpc.call(catalogContentGet, { type, id }, { timeoutMs: this.config.rpcTimeoutMs });
    let contact: Record<string, unknown> = {};
    if (request.contactId) {
      const c = await this.rpc.call(preferencesContactsGet, { id: request.contactId }, { timeoutMs: this.config.rpcTimeoutMs });
      contact = { ...c.fields, id: c.id, firstname: c.firstname, lastname: c.lastname, email: c.email, mobile: c.mobile, twitterHandle: c.twitterHandle };
    }
    const unsubscribeUrl = `${this.config.http.publicUrl}/u/preview`;
    const scope = { contact: { ...contact, ...request.fields, unsubscribe_url: unsubscribeUrl }, unsubscribe_url: unsubscribeUrl };
    const spec = CONTENT_FIELDS[type];
    const rendered: Record<string, string | null> = {};
    for (const field of spec.liquid) {
      const source = item.fields[field];
      if (typeof source !== 'string') {
        rendered[field] = null;
        continue;
      }
      const engine = (spec.html as readonly string[]).includes(field) ? this.engines.html : this.engines.text;
      try {
        rendered[field] = String(await engine.parseAndRender(source, scope));
      } catch (error) {
        throw DomainError.validation({ [field]: [`The template does not render: ${(error as Error).message.split('\n')[0]}`] });
      }
    }
    return rendered;
  }
}
