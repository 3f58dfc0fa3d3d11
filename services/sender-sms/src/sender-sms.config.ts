import { env, loadConfig } from '@switchboard/config';
import { buildSenderConfig, senderEnv, type SenderConfig } from '@switchboard/channel-sdk';
import { DEFAULT_SMS_OPT_OUT_TEXT } from '@switchboard/contracts';

export const SERVICE = 'sender-sms';

export const smsEnv = {
  ...senderEnv,
  SMS_PROVIDER: env.enum(['twilio', 'smpp'] as const, 'twilio'),
  TWILIO_BASE_URL: env.url('https://api.twilio.com'),
  TWILIO_ACCOUNT_SID: env.optionalString(),
  TWILIO_AUTH_TOKEN: env.optionalString(),
  /** An E.164 number, a short code, an alphanumeric sender id, or a Messaging Service SID (MG...). */
  TWILIO_FROM: env.optionalString(),
  /** Twilio's StatusCallback on every message; default `${SB_PUBLIC_URL}/webhooks/providers/twilio` (the gateway). */
  TWILIO_STATUS_CALLBACK_URL: env.optionalString(),
  /** smpp://host:port (ssmpp:// for TLS). */
  SMPP_URL: env.optionalString(),
  SMPP_SYSTEM_ID: env.optionalString(),
  SMPP_PASSWORD: env.optionalString(),
  /** source_addr when the content has no sender id. */
  SMPP_SOURCE_ADDR: env.string('Switchboard'),
  /** Appended to a text that carries no opt-out instruction (no "STOP"). */
  SMS_OPT_OUT_TEXT: env.string(DEFAULT_SMS_OPT_OUT_TEXT),
};

export interface SmsConfig extends SenderConfig {
  sms: {
    provider: 'twilio' | 'smpp';
    optOutText: string;
    twilio: { baseUrl: string; accountSid: string; authToken: string; from: string; statusCallback: string };
    smpp: { url: string; systemId: string; password: string; sourceAddr: string };
  };
}

export function loadSmsConfig(source: NodeJS.ProcessEnv = process.env): SmsConfig {
  return loadConfig(
    smsEnv,
    (e) => {
      const required =
        e.SMS_PROVIDER === 'twilio'
          ? (['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const)
          : (['SMPP_URL', 'SMPP_SYSTEM_ID', 'SMPP_PASSWORD'] as const);
      const missing = required.filter((name) => e[name] === undefined);
      if (missing.length)
        throw new Error(
          `Invalid configuration:\n  ${missing.map((m) => `${m}: required when SMS_PROVIDER=${e.SMS_PROVIDER}`).join('\n  ')}`,
        );
      return {
        ...buildSenderConfig(e),
        sms: {
          provider: e.SMS_PROVIDER,
          optOutText: e.SMS_OPT_OUT_TEXT,
          twilio: {
            baseUrl: e.TWILIO_BASE_URL.replace(/\/$/, ''),
            accountSid: e.TWILIO_ACCOUNT_SID ?? '',
            authToken: e.TWILIO_AUTH_TOKEN ?? '',
            from: e.TWILIO_FROM ?? '',
            statusCallback:
              e.TWILIO_STATUS_CALLBACK_URL ?? `${e.SB_PUBLIC_URL.replace(/\/+$/, '')}/webhooks/providers/twilio`,
          },
          smpp: {
            url: e.SMPP_URL ?? '',
            systemId: e.SMPP_SYSTEM_ID ?? '',
            password: e.SMPP_PASSWORD ?? '',
            sourceAddr: e.SMPP_SOURCE_ADDR,
          },
        },
      };
    },
    source,
  );
}
