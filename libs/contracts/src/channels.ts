import { z } from 'zod';

/** Every channel Switchboard knows. A new channel is a key here, a content type and a sender. */
export const CHANNELS = ['email', 'sms', 'notification', 'mobile_notification', 'tweet', 'inapp'] as const;
export type Channel = (typeof CHANNELS)[number];
export const ChannelSchema = z.enum(CHANNELS);

/** The channel used when a message was created without an order. */
export const DEFAULT_CHANNEL: Channel = 'email';

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}
