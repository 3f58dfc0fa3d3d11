import { DeliveryError, type RenderInput } from '@switchboard/channel-sdk';

/** A notification's visible parts, for a browser or a phone. */
export interface RenderedNotification {
  title: string;
  body: string;
  /** Where a tap leads: a click-tracking link (DESIGN §7.6) to the content's url. */
  url?: string;
  icon?: string;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Notification content + contact → title, body and a tracked link (shared by web push and FCM). */
export function renderNotification({ content, liquid, links }: RenderInput): RenderedNotification {
  const title = liquid.render(str(content.fields.heading)).trim();
  const body = liquid.render(str(content.fields.message)).trim();
  if (!title && !body) throw DeliveryError.permanent('empty_content', `notification ${content.id} renders to nothing`);
  const target = liquid.render(str(content.fields.url)).trim();
  if (target && !/^https?:\/\/\S+$/i.test(target))
    throw DeliveryError.permanent('invalid_url', `${JSON.stringify(target)} is not an http(s) URL`);
  const icon = str(content.fields.icon).trim();
  return { title, body, ...(target ? { url: links.click(target) } : {}), ...(icon ? { icon } : {}) };
}
