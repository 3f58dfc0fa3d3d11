import { Inject, Injectable } from '@nestjs/common';
import {
  CHANNEL_CONTENT_TYPE,
  DomainError,
  ErrorCode,
  HTTP_STATUS_BY_CODE,
  smsSegments,
  withSmsOptOut,
  type Channel,
  type ContentType,
  type MessagePreviewChannel,
  type MessageView,
  type PreviewRequest,
} from '@switchboard/contracts';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { CatalogClient } from '../catalog/catalog.client';
import { PreviewService, type PreviewContext } from '../content/preview.service';
import type { GatewayConfig } from '../gateway.config';

type Rendered = Record<string, string | null>;

/**
 * `POST /api/messages/{id}/preview` (DESIGN §7.2): every enabled channel of a marketing message,
 * rendered for one contact (or sample fields) by the per-type preview, side by side in the
 * message's channel order.
 */
@Injectable()
export class MessagePreviewService {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly previews: PreviewService,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async preview(messageId: number, request: PreviewRequest) {
    const message = (await this.catalog.get('message', messageId)) as unknown as MessageView;
    const context = await this.previews.contextFor(request);
    const channels: MessagePreviewChannel[] = [];
    // One after another: each render is synchronous CPU under Liquid's limits, so parallel gains nothing.
    for (const { channel, channelId, isEnabled } of message.channels) {
      if (!isEnabled || channelId === null) continue;
      channels.push(await this.channel(channel, channelId, context));
    }
    return { preview: { messageId, channels } };
  }

  private async channel(channel: Channel, contentId: number, context: PreviewContext): Promise<MessagePreviewChannel> {
    const contentType = CHANNEL_CONTENT_TYPE[channel];
    const head = { channel, contentType, contentId };
    try {
      const rendered = await this.previews.renderItem(contentType, contentId, context);
      const variant = 'variant' in rendered ? { variant: rendered.variant } : {};
      return { ...head, ...variant, ...this.shape(contentType, rendered) };
    } catch (error) {
      // A channel whose content is gone or does not render is shown as such beside the others.
      if (error instanceof DomainError && (error.code === ErrorCode.Validation || error.code === ErrorCode.NotFound))
        return {
          ...head,
          error: { code: HTTP_STATUS_BY_CODE[error.code], message: error.message, details: error.details },
        };
      throw error;
    }
  }

  /** The rendered fields under the names a channel shows them by. */
  private shape(type: ContentType, r: Rendered): Partial<MessagePreviewChannel> {
    switch (type) {
      case 'email':
        return { subject: r.subject, html: r.customHtml, text: r.plainText, fromName: r.fromName };
      case 'sms': {
        // As sent: sender-sms appends the opt-out text where the message has none, and it counts in the segments.
        const message = withSmsOptOut((r.message ?? '').trim(), this.config.content.smsOptOutText);
        return { message, ...smsSegments(message) };
      }
      case 'notification':
        return { heading: r.heading, message: r.message, url: r.url };
      case 'tweet':
        return { text: r.text };
      case 'inapp':
        return { title: r.title, body: r.body, url: r.url };
    }
  }
}
