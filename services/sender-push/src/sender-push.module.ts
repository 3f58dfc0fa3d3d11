import type { DynamicModule } from '@nestjs/common';
import type { ServiceModuleOptions } from '@switchboard/service-kit';
import { ChannelSenderModule, type SenderDefinition } from '@switchboard/channel-sdk';
import { fcmSender } from './fcm/fcm.sender';
import { SERVICE, type PushConfig } from './sender-push.config';
import { webPushSender } from './web-push/web-push.sender';

/** One service, two channels: each runs only when its provider is configured. */
export function createSenderPushModule(config: PushConfig, options: ServiceModuleOptions = {}): DynamicModule {
  const senders: SenderDefinition[] = [];
  if (config.webPush) senders.push(webPushSender(config, config.webPush));
  if (config.fcm) senders.push(fcmSender(config, config.fcm));
  return ChannelSenderModule.forRoot({ ...options, service: SERVICE, config, senders });
}
