import { DeliveryError, shortenLinks, type RenderInput } from '@switchboard/channel-sdk';
import { smsSegments, withSmsOptOut, type SmsSegments } from '@switchboard/contracts';
import type { SmsConfig } from '../sender-sms.config';

export interface SmsMessage {
  /** E.164. */
  to: string;
  body: string;
  /** The content's sender id (alphanumeric or a number); the provider's default when absent. */
  senderId?: string;
  segments: SmsSegments;
}

const E164 = /^\+[1-9]\d{6,14}$/;
/** Twilio refuses longer bodies (error 21617); carriers concatenate at most about ten parts. */
export const MAX_SMS_CHARACTERS = 1_600;

/** Sms content + contact → one text: Liquid-rendered, links shortened, with the opt-out instruction appended where it has none. */
export function renderSms(
  { dispatch, content, liquid, links }: RenderInput,
  options: Pick<SmsConfig['sms'], 'optOutText'>,
): SmsMessage {
  const to = dispatch.contact.address;
  if (typeof to !== 'string' || !E164.test(to))
    throw DeliveryError.permanent('invalid_address', `${JSON.stringify(to)} is not an E.164 number`);
  let body = liquid.render(typeof content.fields.message === 'string' ? content.fields.message : '').trim();
  if (!body) throw DeliveryError.permanent('empty_content', `sms ${content.id} renders to an empty text`);
  // Each link a short tracked one (DESIGN §7.2): fewer characters, and a click counted.
  body = shortenLinks(body, links.short);
  body = withSmsOptOut(body, options.optOutText);
  if ([...body].length > MAX_SMS_CHARACTERS) {
    throw DeliveryError.permanent(
      'too_long',
      `The text has ${[...body].length} characters; at most ${MAX_SMS_CHARACTERS} can be sent`,
    );
  }
  const senderId =
    typeof content.fields.senderId === 'string' && content.fields.senderId.trim()
      ? content.fields.senderId.trim()
      : undefined;
  return { to, body, senderId, segments: smsSegments(body) };
}
