import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { env, loadConfig } from '@switchboard/config';
import { buildSenderConfig, senderEnv, type SenderConfig } from '@switchboard/channel-sdk';

export const SERVICE = 'sender-push';

export const pushEnv = {
  ...senderEnv,
  /** VAPID key pair (base64url, as `web-push generate-vapid-keys` prints it); set both to send `notification`. */
  VAPID_PUBLIC_KEY: env.optionalString(),
  VAPID_PRIVATE_KEY: env.optionalString(),
  /** The VAPID `sub` claim: a mailto: or https: URI where push services can reach the operator. */
  VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:.+|https:\/\/.+)$/, 'must be a mailto: or https: URI')
    .optional(),
  /** A PEM CA to trust besides the system roots (dev/test: the loopback push service's self-signed CA). */
  WEBPUSH_CA_FILE: env.optionalString(),
  /** How long a push service keeps an undelivered notification. */
  WEBPUSH_TTL_SECONDS: env.int(86_400),
  FCM_BASE_URL: env.url('https://fcm.googleapis.com'),
  /** A Google service-account JSON key file; set it to send `mobile_notification` through FCM HTTP v1. */
  FCM_SERVICE_ACCOUNT_FILE: env.optionalString(),
};

/** The fields of a service-account key file that FCM needs. */
export const ServiceAccountSchema = z.object({
  project_id: z.string().min(1),
  private_key_id: z.string().optional(),
  private_key: z.string().includes('PRIVATE KEY'),
  client_email: z.string().min(1),
  token_uri: z.url(),
});
export type ServiceAccount = z.infer<typeof ServiceAccountSchema>;

export interface PushConfig extends SenderConfig {
  webPush?: { vapid: { subject: string; publicKey: string; privateKey: string }; caPem?: string; ttlSeconds: number };
  fcm?: { baseUrl: string; account: ServiceAccount };
}

function readFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Invalid configuration:\n  ${variable}: cannot read ${path} (${(error as Error).message})`);
  }
}

function serviceAccount(path: string): ServiceAccount {
  let json: unknown;
  try {
    json = JSON.parse(readFile('FCM_SERVICE_ACCOUNT_FILE', path));
  } catch (error) {
    if ((error as Error).message.startsWith('Invalid configuration')) throw error;
    throw new Error(`Invalid configuration:\n  FCM_SERVICE_ACCOUNT_FILE: ${path} is not JSON`);
  }
  const parsed = ServiceAccountSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `Invalid configuration:\n  FCM_SERVICE_ACCOUNT_FILE: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** Each channel is on when its provider is configured: `notification` with VAPID keys, `mobile_notification` with FCM. */
export function loadPushConfig(source: NodeJS.ProcessEnv = process.env): PushConfig {
  return loadConfig(
    pushEnv,
    (e) => {
      const vapid = [e.VAPID_PUBLIC_KEY, e.VAPID_PRIVATE_KEY, e.VAPID_SUBJECT];
      if (vapid.some((v) => v !== undefined) && !vapid.every((v) => v !== undefined)) {
        throw new Error(
          'Invalid configuration:\n  VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT must be set together',
        );
      }
      if (e.VAPID_PUBLIC_KEY === undefined && e.FCM_SERVICE_ACCOUNT_FILE === undefined) {
        throw new Error(
          'Invalid configuration:\n  VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY/VAPID_SUBJECT or FCM_SERVICE_ACCOUNT_FILE: configure at least one push provider',
        );
      }
      return {
        ...buildSenderConfig(e),
        webPush: e.VAPID_PUBLIC_KEY
          ? {
              vapid: { subject: e.VAPID_SUBJECT!, publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY! },
              caPem: e.WEBPUSH_CA_FILE ? readFile('WEBPUSH_CA_FILE', e.WEBPUSH_CA_FILE) : undefined,
              ttlSeconds: e.WEBPUSH_TTL_SECONDS,
            }
          : undefined,
        fcm: e.FCM_SERVICE_ACCOUNT_FILE
          ? { baseUrl: e.FCM_BASE_URL.replace(/\/$/, ''), account: serviceAccount(e.FCM_SERVICE_ACCOUNT_FILE) }
          : undefined,
      };
    },
    source,
  );
}
