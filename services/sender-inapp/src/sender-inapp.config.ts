import { env, loadConfig } from '@switchboard/config';
import { buildSenderConfig, senderEnv, type SenderConfig } from '@switchboard/channel-sdk';

export const SERVICE = 'sender-inapp';

export const inappEnv = {
  ...senderEnv,
  /** How long a message stays in the inbox when its content sets no `expiresAfterDays`. */
  INBOX_DEFAULT_EXPIRY_DAYS: env.int(90),
};

export interface InAppConfig extends SenderConfig {
  inbox: { defaultExpiryDays: number };
}

export function loadSenderInappConfig(source: NodeJS.ProcessEnv = process.env): InAppConfig {
  return loadConfig(
    inappEnv,
    (e) => ({
      ...buildSenderConfig(e),
      inbox: { defaultExpiryDays: Math.max(1, e.INBOX_DEFAULT_EXPIRY_DAYS) },
    }),
    source,
  );
}
