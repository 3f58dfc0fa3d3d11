import type { InjectionToken } from '@nestjs/common';
import type { Channel, ContentItem, Dispatch } from '@switchboard/contracts';
import type { RpcClient } from '@switchboard/messaging';
import type { Logger } from '@switchboard/telemetry';
import type { FeedbackReporter } from './feedback/feedback.service';
import type { ChannelProvider } from './provider/channel-provider';
import type { TemplateRenderer } from './rendering/liquid.renderer';
import type { SenderConfig } from './sender.config';

/** Signed public links of one dispatch (DESIGN §7.6). */
export interface TrackingLinks {
  openPixel: string;
  click(url: string): string;
  /** A short tracked link (`{SB_SHORT_URL}/s/{code}`) for texts where length counts (SMS); stored before the send. */
  short(url: string): string;
  unsubscribe: string;
  /** The email as sent, in a browser (`{{ webview_url }}`): answered only from a copy the sender kept. */
  webview: string;
}

export interface RenderInput {
  dispatch: Dispatch;
  /** The content item from catalog (cached; invalidated by sb.catalog.message.changed.v1). */
  content: ContentItem;
  /** Liquid over the contact: `{{ contact.firstname | default: "there" }}`, `{{ unsubscribe_url }}`. */
  liquid: TemplateRenderer;
  links: TrackingLinks;
  /** A test send: links track nothing and nothing may be kept (a web view copy) for it. */
  test: boolean;
}

/** One dispatch's message as the channel rendered it, for `keep`. */
export interface Rendered<M = unknown> {
  dispatch: Dispatch;
  message: M;
}

/** What a provider factory gets at boot. */
export interface ProviderDeps {
  config: SenderConfig;
  logger: Logger;
  /** Request/reply to other services. */
  rpc: RpcClient;
  /**
   * Provider feedback that arrives on the provider's own connection (SMPP receipts) → delivery
   * events (DESIGN §6); feedback in the answer to a call goes in its SendResult or DeliveryError.
   */
  feedback: FeedbackReporter;
  /** The providers named by the definition's `inject`, in that order. */
  injected: unknown[];
}

/**
 * A channel = a provider and a renderer. Everything else (consuming dispatches, content, Liquid,
 * breaker, retries, idempotency, delivery events, heartbeats) is the SDK's.
 */
export interface SenderDefinition<M = unknown> {
  channel: Channel;
  /** Builds the provider once at boot. */
  provider: (deps: ProviderDeps) => ChannelProvider<M>;
  /** Providers of the service the provider needs (sender-inapp's inbox store), handed over as `deps.injected`. */
  inject?: InjectionToken[];
  /**
   * Turns the content and the contact into what the provider sends; throw `DeliveryError.permanent`
   * for what can never be sent. `injected`: the providers named by `inject`, as the provider gets them.
   */
  render: (input: RenderInput, injected: unknown[]) => M | Promise<M>;
  /**
   * Stores what the messages need once they arrive, before any of them is sent (sender-email: the
   * copies its web view links show), for a wave of dispatches at a time, so one statement serves
   * them all. Never called for a test send. A throw sends none of the wave now: each comes back
   * later, as after any database error.
   */
  keep?: (rendered: Rendered<M>[], injected: unknown[]) => Promise<void>;
  /**
   * false for a channel whose "provider" is the sender's own store (sender-inapp): a breaker
   * protects against a remote provider, and opening one on our own database would only hold back
   * sends that a database error already retries. Default true.
   */
  breaker?: boolean;
  /** More names the channel's templates see, the same for every contact (sender-sms: `optout`, its opt-out text). */
  liquidScope?: Record<string, unknown>;
}

/** Checks a channel's provider and renderer agree on the message type, then erases it for the module. */
export function defineSender<M>(definition: SenderDefinition<M>): SenderDefinition {
  return definition as unknown as SenderDefinition;
}
