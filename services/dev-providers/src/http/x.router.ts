import { parseTweet } from 'twitter-text';
import { FailureSwitch } from '../control';
import { Received, type Outbox } from '../outbox';
import {
  DROP_CONNECTION,
  bearerToken,
  isRecord,
  parseJson,
  reply,
  type FakeRequest,
  type FakeResponse,
  type FakeRoute,
} from './http-kit';

/** X API v2 `POST /2/tweets` with an OAuth 2.0 user-context bearer token. */
export interface XConfig {
  /** User access tokens accepted in `Authorization: Bearer`. */
  accessTokens: string[];
}

export interface XTweet {
  id: string;
  text: string;
  /** Lower-case handles mentioned in the text, with the @. */
  mentions: string[];
  /** The request body as sent (reply, media, poll, ...). */
  request: Record<string, unknown>;
  accessToken: string;
  receivedAt: Date;
}

export interface XFake {
  config: XConfig;
  tweets: XTweet[];
  received: Received<XTweet>;
  control: FailureSwitch;
  route: FakeRoute;
}

export const MAX_TWEET_LENGTH = 280;
const BODY_FIELDS = new Set([
  'text',
  'reply',
  'quote_tweet_id',
  'media',
  'poll',
  'reply_settings',
  'for_super_followers_only',
  'direct_message_deep_link',
  'geo',
  'nullcast',
  'card_uri',
  'community_id',
  'share_with_followers',
  'made_with_ai',
  'paid_partnership',
]);

const problem = (status: number, title: string, detail: string): FakeResponse =>
  reply(status, { title, type: 'about:blank', status, detail });

const invalidRequest = (errors: Array<{ message: string; parameters?: Record<string, string[]> }>): FakeResponse =>
  reply(400, {
    errors,
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  });

export function createXFake(config: XConfig, outbox?: Outbox, control = new FailureSwitch()): XFake {
  const received = new Received<XTweet>();
  // Per user: the texts already posted (X refuses duplicate content).
  const posted = new Map<string, Set<string>>();
  let lastId = BigInt(Date.now() - 1288834974657) << 22n; // a snowflake-shaped id
  outbox?.onCleared(() => {
    received.clear();
    posted.clear();
  });

  const createTweet = (req: FakeRequest): FakeResponse => {
    const token = bearerToken(req.headers);
    if (!token || !config.accessTokens.includes(token)) return problem(401, 'Unauthorized', 'Unauthorized');
    const body = parseJson(req.body);
    if (!isRecord(body)) return invalidRequest([{ message: 'Request body must be a JSON object' }]);
    const unknown = Object.keys(body).filter((k) => !BODY_FIELDS.has(k));
    if (unknown.length) {
      return invalidRequest(
        unknown.map((k) => ({
          message: `$.${k}: is not defined in the schema and the schema does not allow additional properties`,
        })),
      );
    }
    const { text } = body;
    if (text !== undefined && typeof text !== 'string')
      return invalidRequest([{ message: '$.text: string found, but expected string' }]);
    if (!text && body.media === undefined && body.poll === undefined) {
      return invalidRequest([{ message: 'Your Tweet text is empty', parameters: { text: [''] } }]);
    }
    const tweetText = text ?? '';
    // X weighs the text by its own rules (URLs as 23, CJK and emoji as 2), as the sender does.
    if (parseTweet(tweetText).weightedLength > MAX_TWEET_LENGTH) {
      return invalidRequest([
        {
          message: `Your Tweet text is too long. The maximum is ${MAX_TWEET_LENGTH} characters.`,
          parameters: { text: [tweetText] },
        },
      ]);
    }
    const texts = posted.get(token) ?? new Set<string>();
    if (tweetText && texts.has(tweetText)) {
      return problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
    }

    const failure = control.take();
    if (failure === 'transient') return problem(503, 'Service Unavailable', 'Service Unavailable');
    if (failure === 'permanent') return problem(403, 'Forbidden', 'You are not permitted to perform this action.');

    lastId += 1n + BigInt(Math.floor(Math.random() * 4096));
    const id = lastId.toString();
    texts.add(tweetText);
    posted.set(token, texts);
    const tweet = received.push({
      id,
      text: tweetText,
      mentions: [...tweetText.matchAll(/(?:^|[^\w@])(@\w{1,15})\b/g)].map((m) => m[1].toLowerCase()),
      request: body,
      accessToken: token,
      receivedAt: new Date(),
    });
    outbox?.add({
      provider: 'x',
      to: tweet.mentions.join(', '),
      body: tweetText,
      details: { ...tweet, accessToken: undefined },
    });
    return reply(201, { data: { id, text: tweetText, edit_history_tweet_ids: [id] } });
  };

  const route: FakeRoute = (req) => {
    if (req.path !== '/2/tweets') return undefined;
    if (control.down) return DROP_CONNECTION;
    if (req.method !== 'POST') return problem(405, 'Method Not Allowed', 'Method Not Allowed');
    return createTweet(req);
  };

  return { config, tweets: received.items, received, control, route };
}
