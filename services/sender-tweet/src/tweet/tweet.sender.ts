import { defineSender, type SenderDefinition } from '@switchboard/channel-sdk';
import type { TweetConfig } from '../sender-tweet.config';
import { renderTweet, type TweetMessage } from './tweet.renderer';
import { XProvider } from './x.provider';

export function tweetSender(config: TweetConfig): SenderDefinition {
  return defineSender<TweetMessage>({
    channel: 'tweet',
    provider: () => new XProvider(config.x, config.breaker.timeoutMs),
    render: renderTweet,
  });
}
