import { defineSender, type SenderDefinition } from '@switchboard/channel-sdk';
import type { PushConfig } from '../sender-push.config';
import { WebPushProvider } from './web-push.provider';
import { renderWebPush, type WebPushMessage } from './web-push.renderer';

/** `notification`: browser push. */
export function webPushSender(config: PushConfig, webPush: NonNullable<PushConfig['webPush']>): SenderDefinition {
  return defineSender<WebPushMessage>({
    channel: 'notification',
    provider: () => new WebPushProvider(webPush, config.breaker.timeoutMs),
    render: renderWebPush,
  });
}
