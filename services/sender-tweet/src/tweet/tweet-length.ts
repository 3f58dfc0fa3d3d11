import { parseTweet } from 'twitter-text';

export const MAX_TWEET_LENGTH = 280;

/**
 * The length X counts for a tweet, by X's own rules (twitter-text v3 config): NFC-normalised,
 * weighted code points, every URL — with or without a scheme — as 23, a joined emoji sequence as 2.
 */
export function tweetLength(text: string): number {
  return parseTweet(text).weightedLength;
}
