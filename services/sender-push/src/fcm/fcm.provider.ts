import { asDeliveryError, DeliveryError, type ChannelProvider, type SendResult } from '@switchboard/channel-sdk';
import { preferencesMobileDeviceRemove, type Dispatch } from '@switchboard/contracts';
import type { RpcClient } from '@switchboard/messaging';
import type { Logger } from '@switchboard/telemetry';
import type { PushConfig } from '../sender-push.config';
import type { FcmMessage } from './fcm.renderer';
import { GoogleAccessToken } from './google-access-token';

interface GoogleError {
  error?: {
    code?: number;
    status?: string;
    message?: string;
    details?: Array<{ '@type'?: string; errorCode?: string }>;
  };
}

const UNREGISTERED = 'fcm_unregistered';

/** FCM errors about this device or this message: sending it again cannot help. */
const PERMANENT = new Set(['UNREGISTERED', 'INVALID_ARGUMENT', 'SENDER_ID_MISMATCH']);

export function classifyFcmError(status: number, body: GoogleError | undefined): DeliveryError {
  const fcmCode = body?.error?.details?.find((d) => d.errorCode)?.errorCode ?? body?.error?.status ?? String(status);
  const message = `FCM answered ${status} ${fcmCode}: ${body?.error?.message ?? ''}`.trim();
  const code = `fcm_${fcmCode.toLowerCase()}`;
  return PERMANENT.has(fcmCode) ? DeliveryError.permanent(code, message) : DeliveryError.transient(code, message);
}

/**
 * FCM HTTP v1: `POST {FCM_BASE_URL}/v1/projects/{project}/messages:send`, one request per device,
 * with a service-account OAuth token. Sent when one device took it; permanent when every device
 * is unregistered or refused. An unregistered device is removed from the contact through preferences.
 */
export class FcmProvider implements ChannelProvider<FcmMessage> {
  readonly name = 'fcm';
  private readonly url: string;
  private readonly token: GoogleAccessToken;

  constructor(
    config: NonNullable<PushConfig['fcm']>,
    private readonly rpc: RpcClient,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {
    this.url = `${config.baseUrl}/v1/projects/${encodeURIComponent(config.account.project_id)}/messages:send`;
    this.token = new GoogleAccessToken(config.account, timeoutMs);
  }

  async send(message: FcmMessage, dispatch: Dispatch): Promise<SendResult> {
    const results = await Promise.all(
      message.tokens.map((token) => this.sendTo(token, message).catch((error: unknown) => asDeliveryError(error))),
    );
    const gone = message.tokens.filter(
      (_, i) => results[i] instanceof DeliveryError && (results[i] as DeliveryError).code === UNREGISTERED,
    );
    await Promise.all(gone.map((token) => this.remove(dispatch.contact.id, token)));
    const names = results.filter((r): r is string => typeof r === 'string');
    if (names.length > 0)
      return { providerMessageId: names[0], meta: { devices: message.tokens.length, delivered: names.length } };
    const errors = results as DeliveryError[];
    throw errors.find((e) => !e.permanent) ?? errors[0];
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

  private async remove(contactId: string, token: string): Promise<void> {
    try {
      const { remaining } = await this.rpc.call(preferencesMobileDeviceRemove, { contactId, token });
      this.logger.info({ contactId, remaining }, 'removed a mobile device FCM calls unregistered');
    } catch (error) {
      // Not fatal: the next push to it is refused again and removal is retried then.
      this.logger.warn({ err: error, contactId }, 'could not remove an unregistered mobile device');
    }
  }
}
