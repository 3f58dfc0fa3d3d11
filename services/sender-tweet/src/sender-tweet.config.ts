import { env, loadConfig } from '@switchboard/config';
import { buildSenderConfig, senderEnv, type SenderConfig } from '@switchboard/channel-sdk';

export const SERVICE = 'sender-tweet';

export const tweetEnv = {
  ...senderEnv,
  X_BASE_URL: env.url('https://api.x.com'),
  /** OAuth 2.0 user-context access token of the account that tweets (scope tweet.write). */
  X_USER_TOKEN: env.string(),
};

export interface TweetConfig extends SenderConfig {
  x: { baseUrl: string; userToken: string };
}

export function loadTweetConfig(source: NodeJS.ProcessEnv = process.env): TweetConfig {
  return loadConfig(
    tweetEnv,
    (e) => ({ ...buildSenderConfig(e), x: { baseUrl: e.X_BASE_URL.replace(/\/$/, ''), userToken: e.X_USER_TOKEN } }),
    source,
  );
}
