import type { DynamicModule } from '@nestjs/common';
import { ChannelSenderModule } from '@switchboard/channel-sdk';
import { BounceListener } from './bounces/bounce-listener';
import { emailSender } from './email/email.sender';
import { SERVICE, type EmailConfig } from './sender-email.config';

export function createSenderEmailModule(config: EmailConfig): DynamicModule {
  return ChannelSenderModule.forRoot({
    service: SERVICE,
    config,
    senders: [emailSender(config)],
    providers: [BounceListener],
  });
}
