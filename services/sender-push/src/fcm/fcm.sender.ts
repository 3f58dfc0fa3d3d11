import { defineSender, type SenderDefinition } from '@switchboard/channel-sdk';
import type { PushConfig } from '../sender-push.config';
import { FcmProvider } from './fcm.provider';
import { renderFcm, type FcmMessage } from './fcm.renderer';

/** `mobile_notification`: phones through Firebase Cloud Messaging. */
export function fcmSender(config: PushConfig, fcm: NonNullable<PushConfig['fcm']>): SenderDefinition {
  return defineSender<FcmMessage>({
    channel: 'mobile_notification',
    provider: () => new FcmProvider(fcm, config.breaker.timeoutMs),
    render: renderFcm,
  });
}
