import { DeliveryError, type RenderInput } from '@switchboard/channel-sdk';
import { MAX_TWEET_LENGTH, tweetLength } from './tweet-length';

export interface TweetMessage {
  text: string;
  /** `@handle` of the contact the tweet addresses. */
  mention: string;
}

const HANDLE = /^@?([A-Za-z0-9_]{1,15})$/;

/** Tweet content + contact → a tweet that mentions the contact, within X's 280 characters. */
export function renderTweet({ dispatch, content, liquid }: RenderInput): TweetMessage {
  const address = dispatch.contact.address;
  const handle = typeof address === 'string' ? HANDLE.exec(address.trim())?.[1] : undefined;
  if (!handle) throw DeliveryError.permanent('invalid_address', `${JSON.stringify(address)} is not a twitter handle`);
  const mention = `@${handle}`;
  let text = liquid.render(typeof content.fields.text === 'string' ? content.fields.text : '').trim();
  if (!text) throw DeliveryError.permanent('empty_content', `tweet ${content.id} renders to an empty text`);
  const mentioned = new RegExp(`(^|[^\\w@])@${handle}(?!\\w)`, 'i').test(text);
  if (!mentioned) text = `${mention} ${text}`;
  const length = tweetLength(text);
  if (length > MAX_TWEET_LENGTH) {
    throw DeliveryError.permanent('too_long', `The tweet is ${length} characters long; X takes ${MAX_TWEET_LENGTH}`);
  }
  return { text, mention };
}
