import { DeliveryError, type RenderInput } from '@switchboard/channel-sdk';
import { MobileDeviceSchema } from '@switchboard/contracts';
import { renderNotification } from '../notification/notification.renderer';

export interface FcmMessage {
  /** Registration tokens of every device of the contact. */
  tokens: string[];
  notification: { title: string; body: string };
  /** FCM data values are strings. */
  data: Record<string, string>;
}

export function renderFcm(input: RenderInput): FcmMessage {
  const address = input.dispatch.contact.address;
  const tokens = (Array.isArray(address) ? address : [])
    .map((d) => MobileDeviceSchema.safeParse(d))
    .flatMap((r) => (r.success ? [r.data.token] : []));
  if (tokens.length === 0) throw DeliveryError.permanent('no_address', 'the contact has no mobile device');
  const { title, body, url, icon } = renderNotification(input);
  return {
    tokens: [...new Set(tokens)],
    notification: { title, body },
    data: { dispatchId: input.dispatch.dispatchId, ...(url ? { url } : {}), ...(icon ? { icon } : {}) },
  };
}
