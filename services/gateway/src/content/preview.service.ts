import { Inject, Injectable } from '@nestjs/common';
import {
  catalogContentGet,
  CONTENT_FIELDS,
  DomainError,
  liquidErrorReason,
  layOut,
  LiquidTemplates,
  personalise,
  preferencesContactsGet,
  SAMPLE_INCENTIVE_CODE,
  type ContentType,
  type FilterSubject,
  type PreviewRequest,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { sampleUrls } from '@switchboard/tracking';
import type { GatewayConfig } from '../gateway.config';

/** The names a preview's templates see. */
export type PreviewScope = Record<string, unknown>;

/** Whom a preview renders for: the names its templates see, and the contact its variants are chosen by. */
export interface PreviewContext {
  scope: PreviewScope;
  subject: FilterSubject;
}

/**
 * Renders a content item's Liquid fields as a sender would (the senders' `LiquidTemplates`: Mautic
 * tokens, the same engine options, HTML fields escaped), for a stored contact or for sample fields.
 */
@Injectable()
export class PreviewService {
  private readonly templates = new LiquidTemplates();

  constructor(
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async preview(type: ContentType, id: number, request: PreviewRequest): Promise<Record<string, string | null>> {
    return this.renderItem(type, id, await this.contextFor(request));
  }

  /**
   * One content item's Liquid fields rendered in a context made once (a message preview renders each
   * of its channels in one): the variant and dynamic content this contact would be sent now, as a
   * sender picks them; content with variants also names the one picked (`variant`, null = base).
   */
  async renderItem(type: ContentType, id: number, context: PreviewContext): Promise<Record<string, string | null>> {
    const stored = await this.rpc.call(catalogContentGet, { type, id }, { timeoutMs: this.config.rpcTimeoutMs });
    const { content: item, choice } = personalise(stored, context.subject, new Date());
    // sender-email alone gives templates `webview_url` (the email's web view; a preview's is the
    // sample page) and `signature`.
    let scope =
      type === 'email'
        ? {
            ...context.scope,
            webview_url: sampleUrls(this.config.http.publicUrl).webview,
            signature: this.config.content.emailSignature,
          }
        : context.scope;
    const spec = CONTENT_FIELDS[type];
    const rendered: Record<string, string | null> = {};
    if (stored.variants?.length) rendered.variant = choice.variant ?? null;
    for (const field of spec.liquid) {
      const source = item.fields[field];
      rendered[field] =
        typeof source === 'string'
          ? this.render(source, scope, (spec.html as readonly string[]).includes(field), field)
          : null;
      // Mautic's `{subject}` in an email's body is its rendered subject, as sender-email renders it.
      if (field === 'subject' && rendered.subject !== null) scope = { ...scope, subject: rendered.subject };
    }
    if (type === 'email' && item.layout && typeof rendered.customHtml === 'string') {
      rendered.customHtml = layOut(item.layout, rendered.customHtml, (source) =>
        this.render(source, scope, true, 'customHtml'),
      );
    }
    return rendered;
  }

  /** A template around `content` (sample HTML, or a placeholder paragraph), as senders lay an email out. */
  async previewTemplate(html: string, request: PreviewRequest & { content?: string }): Promise<{ html: string }> {
    const { scope } = await this.contextFor(request);
    return {
      html: layOut(html, request.content ?? '<p>The email goes here.</p>', (source) =>
        this.render(source, scope, true, 'html'),
      ),
    };
  }

  /** Whom a preview or a test renders for: a stored contact's fields (as senders get them) under the sample fields. */
  async sampleContact(
    request: PreviewRequest,
  ): Promise<{ fields: Record<string, unknown>; locale: string | null; timezone: string | null }> {
    if (!request.contactId) return { fields: { ...request.fields }, locale: null, timezone: null };
    const c = await this.rpc.call(
      preferencesContactsGet,
      { id: request.contactId },
      { timeoutMs: this.config.rpcTimeoutMs },
    );
    const stored = {
      ...c.fields,
      id: c.id,
      firstname: c.firstname,
      lastname: c.lastname,
      email: c.email,
      mobile: c.mobile,
      twitterHandle: c.twitterHandle,
      country: c.country,
    };
    return { fields: { ...stored, ...request.fields }, locale: c.locale, timezone: c.timezone };
  }

  /** What templates see in a preview (the contact or sample fields, sample links, a sample coupon code) and whom variants are chosen by. */
  async contextFor(request: PreviewRequest): Promise<PreviewContext> {
    const { fields, locale, timezone } = await this.sampleContact(request);
    const unsubscribeUrl = sampleUrls(this.config.http.publicUrl).unsubscribe;
    const scope = {
      contact: { ...fields, unsubscribe_url: unsubscribeUrl },
      unsubscribe_url: unsubscribeUrl,
      optout: this.config.content.smsOptOutText,
      // A preview uses up no coupon code.
      incentive: { code: SAMPLE_INCENTIVE_CODE },
    };
    return { scope, subject: { id: request.contactId ?? 'preview', fields, locale, timezone } };
  }

  private render(source: string, scope: Record<string, unknown>, html: boolean, field: string): string {
    try {
      return this.templates.render(source, scope, html ? 'html' : 'text');
    } catch (error) {
      throw DomainError.validation({
        [field]: [`The template does not render: ${liquidErrorReason(error)}`],
      });
    }
  }
}
