import type { DynamicModule } from '@nestjs/common';
import type { ServiceModuleOptions } from '@switchboard/service-kit';
import { ChannelSenderModule } from '@switchboard/channel-sdk';
import { smsSender } from './sms/sms.sender';
import { SERVICE, type SmsConfig } from './sender-sms.config';

export function createSenderSmsModule(config: SmsConfig, options: ServiceModuleOptions = {}): DynamicModule {
  return ChannelSenderModule.forRoot({ ...options, service: SERVICE, config, senders: [smsSender(config)] });
}
