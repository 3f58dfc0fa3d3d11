import {
  asDeliveryError,
  DeliveryError,
  type CallFeedback,
  type ChannelProvider,
  type SendResult,
} from '@switchboard/channel-sdk';
import type { PushConfig } from '../sender-push.config';
import type { FcmMessage } from './fcm.renderer';
import { GoogleAccessToken } from './google-access-token';

interface GoogleError {
  error?: {
    code?: number;
    status?: string;
    message?: string;
    details?: Array<{ '@type'?: string; errorCode?: string; fieldViolations?: Array<{ field?: string }> }>;
  };
}

/** FCM errors about this device or this message: sending it again cannot help. */
const PERMANENT = new Set(['UNREGISTERED', 'INVALID_ARGUMENT', 'SENDER_ID_MISMATCH']);

/** A failure that says the device token itself is dead: the device is removed from the contact. */
export class DeadDeviceError extends DeliveryError {}

export function classifyFcmError(status: number, body: GoogleError | undefined): DeliveryError {
  const details = body?.error?.details ?? [];
  const fcmCode = details.find((d) => d.errorCode)?.errorCode ?? body?.error?.status ?? String(status);
  const message = `FCM answered ${status} ${fcmCode}: ${body?.error?.message ?? ''}`.trim();
  const code = `fcm_${fcmCode.toLowerCase()}`;
  // UNREGISTERED: the app was uninstalled or the token expired. INVALID_ARGUMENT about
  // `message.token`: a token FCM never issued. Either way no push will ever reach it (FCM's advice
  // is to drop the token); INVALID_ARGUMENT about anything else is our message's fault.
  const tokenRefused =
    fcmCode === 'INVALID_ARGUMENT' && details.some((d) => d.fieldViolations?.some((v) => v.field === 'message.token'));
  if (fcmCode === 'UNREGISTERED' || tokenRefused) return new DeadDeviceError(code, message, true);
  return PERMANENT.has(fcmCode) ? DeliveryError.permanent(code, message) : DeliveryError.transient(code, message);
}

/**
 * FCM HTTP v1: `POST {FCM_BASE_URL}/v1/projects/{project}/messages:send`, one request per device,
 * with a service-account OAuth token. Sent when one device took it; permanent when every device
 * is dead or refused it. Each dead device comes back as a hard bounce naming its token
 * (`removedAddress`), which makes preferences drop it from the contact.
 */
export class FcmProvider implements ChannelProvider<FcmMessage> {
  readonly name = 'fcm';
  private readonly url: string;
  private readonly token: GoogleAccessToken;

  constructor(
    config: NonNullable<PushConfig['fcm']>,
    private readonly timeoutMs: number,
  ) {
    this.url = `${config.baseUrl}/v1/projects/${encodeURIComponent(config.account.project_id)}/messages:send`;
    this.token = new GoogleAccessToken(config.account, timeoutMs);
  }

  async send(message: FcmMessage): Promise<SendResult> {
    const results = await Promise.all(
      message.tokens.map((token) => this.sendTo(token, message).catch((error: unknown) => asDeliveryError(error))),
    );
    const feedback = message.tokens.flatMap((token, i): CallFeedback[] => {
      const r = results[i];
      return r instanceof DeadDeviceError
        ? [
            {
              event: 'bounced',
              bounce: 'hard',
              source: 'fcm',
              code: r.code.replace(/^fcm_/, '').toUpperCase(),
              diagnostic: r.message,
              removedAddress: token,
            },
          ]
        : [];
    });
    const names = results.filter((r): r is string => typeof r === 'string');
    if (names.length > 0)
      return {
        providerMessageId: names[0],
        meta: { devices: message.tokens.length, delivered: names.length, removed: feedback.length },
        feedback,
      };
    const errors = results as DeliveryError[];
    throw (errors.find((e) => !e.permanent) ?? errors[0]).withFeedback(feedback);
  }

  private async sendTo(device: string, message: FcmMessage): Promise<string> {
    const accessToken = await this.token.get();
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: { token: device, notification: message.notification, data: message.data } }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = (await res.json().catch(() => undefined)) as (GoogleError & { name?: string }) | undefined;
    if (res.ok && body?.name) return body.name;
    if (res.status === 401) this.token.invalidate(accessToken);
    throw classifyFcmError(res.status, body);
  }
}
