import { DeliveryError, type ChannelProvider, type SendResult } from '@switchboard/channel-sdk';
import type { TweetConfig } from '../sender-tweet.config';
import type { TweetMessage } from './tweet.renderer';

interface XProblem {
  title?: string;
  detail?: string;
  errors?: Array<{ message?: string }>;
}

/** X's answer → DeliveryError: 400 (invalid) and 403 (refused: duplicate, not permitted) are permanent; 401, 429, 5xx transient. */
export function classifyXError(status: number, body: XProblem | undefined): DeliveryError {
  const message = `X answered ${status}: ${body?.detail ?? body?.errors?.[0]?.message ?? body?.title ?? ''}`.trim();
  if (status === 400 || status === 403) return DeliveryError.permanent(`x_${status}`, message);
  return DeliveryError.transient(`x_${status}`, message);
}

/** X API v2 `POST /2/tweets` with the account's OAuth 2.0 user token. */
export class XProvider implements ChannelProvider<TweetMessage> {
  readonly name = 'x';

  constructor(
    private readonly config: TweetConfig['x'],
    private readonly timeoutMs: number,
  ) {}

  async send(message: TweetMessage): Promise<SendResult> {
    const res = await fetch(`${this.config.baseUrl}/2/tweets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.config.userToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: message.text }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = (await res.json().catch(() => undefined)) as ({ data?: { id?: string } } & XProblem) | undefined;
    if (!res.ok || !body?.data?.id) throw classifyXError(res.status, body);
    return { providerMessageId: body.data.id, meta: { mention: message.mention } };
  }
}
