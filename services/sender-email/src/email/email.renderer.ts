import { DeliveryError, type RenderInput } from '@switchboard/channel-sdk';
import {
  insertBeforeBodyEnd,
  layOut,
  withUnsubscribeFooterHtml,
  withUnsubscribeFooterText,
} from '@switchboard/contracts';
import type { EmailConfig } from '../sender-email.config';
import { escapeHtml, htmlToText, rewriteLinks } from './html';
import { applyTokens } from './tokens';

/** One email as the SMTP provider sends it. */
export interface EmailMessage {
  from: { name: string; address: string } | string;
  to: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  /** `<id@domain>`, stable per dispatch, so a resent copy is recognisable downstream. */
  messageId: string;
  headers: Record<string, string>;
  /** The envelope sender (MAIL FROM) when it is not the From address: a VERP bounce address. */
  returnPath?: string;
  /**
   * Not sent: the HTML as sent without the open pixel, kept for `{{ webview_url }}`; set only when
   * the email uses its web view link, so the others keep nothing.
   */
  webView?: string;
}

const MAILBOX = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value : undefined;
}

function textToParagraphs(text: string): string {
  return escapeHtml(text)
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`)
    .join('');
}

function domainOf(from: EmailMessage['from']): string {
  const address = typeof from === 'string' ? (/<([^>]+)>/.exec(from)?.[1] ?? from) : from.address;
  return address.slice(address.lastIndexOf('@') + 1).trim() || 'localhost';
}

/**
 * Email content + contact → an email: Liquid-rendered subject, HTML and text parts, the HTML laid
 * out in the email's template when it has one; an
 * unsubscribe footer where the content has no unsubscribe link; click-tracking links and an open
 * pixel (signed tokens, DESIGN §7.6); RFC 8058 one-click List-Unsubscribe headers; the HTML for
 * the web view when the email links to it.
 */
export function renderEmail(
  { dispatch, content, liquid, links }: RenderInput,
  options: EmailConfig['email'],
): EmailMessage {
  const to = dispatch.contact.address;
  if (typeof to !== 'string' || !MAILBOX.test(to)) {
    throw DeliveryError.permanent('invalid_address', `${JSON.stringify(to)} is not an email address`);
  }
  const fields = content.fields;
  const fromAddress = str(fields.fromAddress);
  const from: EmailMessage['from'] = fromAddress
    ? { name: liquid.render(str(fields.fromName)).trim(), address: fromAddress }
    : options.from;
  const replyTo = str(fields.replyToAddress);

  const subject = applyTokens(liquid.render(str(fields.subject) ?? ''), dispatch.tokens, 'text')
    .replace(/\s+/g, ' ')
    .trim();
  // Mautic's `{subject}` in the body is the subject as sent; `{{ webview_url }}` (Mautic's
  // `{webview_url}`) is the email's web view, an email's own link like the unsubscribe one.
  const bodyLiquid = liquid.with({ subject, webview_url: links.webview });
  const htmlSource = str(fields.customHtml);
  const textSource = str(fields.plainText);
  if (!htmlSource && !textSource)
    throw DeliveryError.permanent('empty_content', `email ${content.id} has neither customHtml nor plainText`);

  const renderedText = textSource ? applyTokens(bodyLiquid.render(textSource), dispatch.tokens, 'text') : undefined;
  const body = htmlSource
    ? applyTokens(bodyLiquid.render(htmlSource, { html: true }), dispatch.tokens, 'html')
    : textToParagraphs(renderedText ?? '');
  let html = content.layout
    ? layOut(content.layout, body, (source) => bodyLiquid.render(source, { html: true }))
    : htmlSource
      ? body
      : `<!doctype html><html><body>${body}</body></html>`;
  html = withUnsubscribeFooterHtml(html, links.unsubscribe, options.unsubscribeText);
  const text = withUnsubscribeFooterText(renderedText ?? htmlToText(html), links.unsubscribe, options.unsubscribeText);

  // Neither own link is a click: the unsubscribe and web view pages count what they do themselves.
  if (options.clickTracking)
    html = rewriteLinks(html, links.click, (url) => url === links.unsubscribe || url === links.webview);
  const webView = html.includes(links.webview) || text.includes(links.webview) ? html : undefined;
  if (options.openTracking) {
    html = insertBeforeBodyEnd(
      html,
      `<img src="${links.openPixel}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`,
    );
  }

  const domain = domainOf(from);
  const mailto = options.unsubscribeMailto ?? `unsubscribe@${domain}`;
  return {
    from,
    to,
    replyTo,
    subject,
    html,
    text,
    messageId: `<${dispatch.dispatchId.replace(/[^A-Za-z0-9._-]/g, '.')}@${domain}>`,
    headers: {
      'List-Unsubscribe': `<mailto:${mailto}?subject=${encodeURIComponent(`unsubscribe ${dispatch.dispatchId}`)}>, <${links.unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'X-Switchboard-Dispatch': dispatch.dispatchId,
    },
    ...(webView !== undefined ? { webView } : {}),
  };
}
