import { DeliveryError, type RenderInput } from '@switchboard/channel-sdk';
import type { NewInboxEntry } from './inbox.repository';
import { sanitizeBody, webUrl } from './inbox-html';

const DAY_MS = 86_400_000;

function field(fields: Record<string, unknown>, name: string): string | null {
  const value = fields[name];
  return typeof value === 'string' && value.trim() ? value : null;
}

/**
 * In-app content + contact → the inbox entry: Liquid title, body and link; the body sanitised and
 * its links tracked; the message's link tracked too, so following it is the channel's `clicked`.
 */
export function renderInApp(
  { dispatch, content, liquid, links }: RenderInput,
  defaultExpiryDays: number,
  now = new Date(),
): NewInboxEntry {
  const title = liquid.render(field(content.fields, 'title')).trim();
  if (!title) throw DeliveryError.permanent('empty_content', `in-app message ${content.id} renders to an empty title`);
  const rawBody = field(content.fields, 'body');
  const body = rawBody ? sanitizeBody(liquid.render(rawBody, { html: true }), (url) => links.click(url)) : null;
  const rawUrl = field(content.fields, 'url');
  let url: string | null = null;
  if (rawUrl) {
    const target = webUrl(liquid.render(rawUrl));
    if (!target)
      throw DeliveryError.permanent('invalid_url', `in-app message ${content.id} has a link that is no http(s) URL`);
    url = links.click(target);
  }
  const rawIcon = field(content.fields, 'icon');
  const icon = rawIcon ? (webUrl(rawIcon) ?? null) : null;
  const days =
    typeof content.fields.expiresAfterDays === 'number' ? content.fields.expiresAfterDays : defaultExpiryDays;
  return {
    dispatchId: dispatch.dispatchId,
    sendId: dispatch.sendId,
    messageId: dispatch.messageId,
    contactId: dispatch.contact.id,
    campaignId: dispatch.campaignId ?? null,
    campaignEventId: dispatch.campaignEventId ?? null,
    shipmentId: dispatch.shipmentId ?? null,
    title,
    body,
    url,
    icon,
    expiresAt: new Date(now.getTime() + days * DAY_MS),
  };
}
