import type { DynamicModule } from '@nestjs/common';
import { ChannelSenderModule } from '@switchboard/channel-sdk';
import { SERVICE, type TweetConfig } from './sender-tweet.config';
import { tweetSender } from './tweet/tweet.sender';

export function createSenderTweetModule(config: TweetConfig): DynamicModule {
  return ChannelSenderModule.forRoot({ service: SERVICE, config, senders: [tweetSender(config)] });
}
