import type { DynamicModule } from '@nestjs/common';
import type { ServiceModuleOptions } from '@switchboard/service-kit';
import { ChannelSenderModule } from '@switchboard/channel-sdk';
import { BounceListener } from './bounces/bounce-listener';
import { emailSender } from './email/email.sender';
import { SERVICE, type EmailConfig } from './sender-email.config';

export function createSenderEmailModule(config: EmailConfig, options: ServiceModuleOptions = {}): DynamicModule {
  return ChannelSenderModule.forRoot({
    ...options,
    service: SERVICE,
    config,
    senders: [emailSender(config)],
    providers: [BounceListener],
  });
}
