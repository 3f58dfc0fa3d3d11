import { randomBytes } from 'node:crypto';
import { smsSegments, twilioSignature, type SmsEncoding } from '@switchboard/contracts';
import { FailureSwitch, type FeedbackKind } from '../control';
import { Received, type Outbox } from '../outbox';
import { DROP_CONNECTION, reply, type FakeRequest, type FakeResponse, type FakeRoute } from './http-kit';

/** How long after accepting a message the fake sends its status callbacks. */
const CALLBACK_DELAY_MS = 1_000;

/** Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`. */
export interface TwilioConfig {
  accountSid: string;
  authToken: string;
}

export interface TwilioMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  encoding: SmsEncoding;
  numSegments: number;
  statusCallback: string | null;
  receivedAt: Date;
}

/** The statuses a StatusCallback receives for each kind of feedback, in order (error code for undelivered). */
const CALLBACKS: Record<Exclude<FeedbackKind, 'complaint'>, Array<{ status: string; errorCode?: string }>> = {
  delivered: [{ status: 'sent' }, { status: 'delivered' }],
  soft_bounce: [{ status: 'sent' }, { status: 'undelivered', errorCode: '30003' }],
  hard_bounce: [{ status: 'sent' }, { status: 'undelivered', errorCode: '30005' }],
};

export interface TwilioCallbackRecord {
  url: string;
  status: string;
  httpStatus?: number;
  error?: string;
}

/**
 * When the fake calls back: `delayMs` after answering, as Twilio does; `beforeAnswer` makes every
 * callback (and the gateway's answer to it) happen before the API call is answered, the order a
 * slow response and a fast callback can produce, in which the sender cannot know the SID yet.
 */
export interface TwilioCallbackTiming {
  delayMs: number;
  beforeAnswer: boolean;
}

export interface TwilioFake {
  /** Status callbacks made so far (on `feedbackNext`), with the answer they got. */
  callbacks: TwilioCallbackRecord[];
  /** Mutable: tests change it between messages. */
  callbackTiming: TwilioCallbackTiming;
  config: TwilioConfig;
  messages: TwilioMessage[];
  received: Received<TwilioMessage>;
  control: FailureSwitch;
  route: FakeRoute;
}

const PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const E164 = /^\+[1-9]\d{1,14}$/;
const SHORT_CODE = /^\d{3,8}$/;
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-f]{32}$/;

function twilioError(status: number, code: number, message: string): FakeResponse {
  return reply(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

function basicAuth(header: string | undefined): { user: string; pass: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
}

function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

export function createTwilioFake(config: TwilioConfig, outbox?: Outbox, control = new FailureSwitch()): TwilioFake {
  const received = new Received<TwilioMessage>();
  outbox?.onCleared(() => received.clear());
  const callbacks: TwilioCallbackRecord[] = [];
  const callbackTiming: TwilioCallbackTiming = { delayMs: CALLBACK_DELAY_MS, beforeAnswer: false };

  /** Calls the message's StatusCallback as Twilio does: form-encoded, signed, one call per status. */
  const callBack = async (message: TwilioMessage, kind: FeedbackKind): Promise<void> => {
    const url = message.statusCallback;
    if (!url || kind === 'complaint') return;
    for (const { status, errorCode } of CALLBACKS[kind]) {
      const params = new URLSearchParams({
        AccountSid: config.accountSid,
        ApiVersion: '2010-04-01',
        From: message.from ?? message.messagingServiceSid ?? '',
        MessageSid: message.sid,
        MessageStatus: status,
        SmsSid: message.sid,
        SmsStatus: status,
        To: message.to,
        ...(errorCode ? { ErrorCode: errorCode } : {}),
      });
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilioSignature(config.authToken, url, params),
          },
          body: params,
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        callbacks.push({ url, status, httpStatus: res.status });
      } catch (err) {
        callbacks.push({ url, status, error: (err as Error).message });
      }
    }
  };

  const createMessage = async (req: FakeRequest, pathSid: string): Promise<FakeResponse> => {
    const credentials = basicAuth(req.headers.authorization);
    if (!credentials || credentials.user !== config.accountSid || credentials.pass !== config.authToken) {
      return twilioError(401, 20003, 'Authenticate');
    }
    if (pathSid !== config.accountSid) {
      return twilioError(404, 20404, `The requested resource ${req.path} was not found`);
    }
    const form = new URLSearchParams(req.body.toString('utf8'));
    const to = form.get('To');
    const from = form.get('From');
    const serviceSid = form.get('MessagingServiceSid');
    const body = form.get('Body') ?? '';
    if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!E164.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from && !serviceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (from && !E164.test(from) && !SHORT_CODE.test(from) && !ALPHANUMERIC_SENDER.test(from)) {
      return twilioError(
        400,
        21212,
        `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
      );
    }
    if (!from && serviceSid && !MESSAGING_SERVICE_SID.test(serviceSid)) {
      return twilioError(400, 21701, `The Messaging Service Sid ${serviceSid} is invalid.`);
    }
    if (!body.trim()) return twilioError(400, 21602, 'Message body is required.');
    if ([...body].length > 1600) {
      return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    }

    const failure = control.take();
    if (failure === 'transient') return twilioError(503, 20503, 'Service unavailable');
    if (failure === 'permanent') return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);

    const { encoding, segments } = smsSegments(body);
    const now = new Date();
    const message = received.push({
      sid: `SM${randomBytes(16).toString('hex')}`,
      accountSid: config.accountSid,
      to,
      from: from || null,
      messagingServiceSid: serviceSid || null,
      body,
      encoding,
      numSegments: segments,
      statusCallback: form.get('StatusCallback'),
      receivedAt: now,
    });
    outbox?.add({ provider: 'twilio', to, from: from ?? serviceSid ?? undefined, body, details: { ...message } });
    const feedback = control.takeFeedback();
    // Twilio calls back after its API answer, seconds later in practice, but nothing orders the two.
    if (feedback && callbackTiming.beforeAnswer) await callBack(message, feedback);
    else if (feedback) setTimeout(() => void callBack(message, feedback), callbackTiming.delayMs);
    const uri = `/2010-04-01/Accounts/${config.accountSid}/Messages/${message.sid}`;
    return reply(201, {
      account_sid: config.accountSid,
      api_version: '2010-04-01',
      body,
      date_created: rfc2822(now),
      date_sent: null,
      date_updated: rfc2822(now),
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: message.from,
      messaging_service_sid: message.messagingServiceSid,
      num_media: '0',
      num_segments: String(segments),
      price: null,
      price_unit: 'USD',
      sid: message.sid,
      status: 'queued',
      subresource_uris: { media: `${uri}/Media.json` },
      to,
      uri: `${uri}.json`,
    });
  };

  const route: FakeRoute = (req) => {
    const match = PATH.exec(req.path);
    if (!match) return undefined;
    if (control.down) return DROP_CONNECTION;
    if (req.method !== 'POST') return twilioError(405, 20004, 'Method not allowed');
    return createMessage(req, decodeURIComponent(match[1]));
  };

  return { config, messages: received.items, received, control, route, callbacks, callbackTiming };
}
