import type { DynamicModule } from '@nestjs/common';
import { ChannelSenderModule } from '@switchboard/channel-sdk';
import { smsSender } from './sms/sms.sender';
import { SERVICE, type SmsConfig } from './sender-sms.config';

export function createSenderSmsModule(config: SmsConfig): DynamicModule {
  return ChannelSenderModule.forRoot({ service: SERVICE, config, senders: [smsSender(config)] });
}
