import type { DynamicModule } from '@nestjs/common';
import type { ServiceModuleOptions } from '@switchboard/service-kit';
import { ChannelSenderModule } from '@switchboard/channel-sdk';
import { SERVICE, type TweetConfig } from './sender-tweet.config';
import { tweetSender } from './tweet/tweet.sender';

export function createSenderTweetModule(config: TweetConfig, options: ServiceModuleOptions = {}): DynamicModule {
  return ChannelSenderModule.forRoot({ ...options, service: SERVICE, config, senders: [tweetSender(config)] });
}
