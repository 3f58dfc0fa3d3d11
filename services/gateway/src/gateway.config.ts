import { baseEnv, buildBaseConfig, env, loadConfig, type BaseConfig } from '@switchboard/config';
import { CHANNEL_GONE_AFTER_MS, DEFAULT_SMS_OPT_OUT_TEXT, mauticSignature } from '@switchboard/contracts';
import { z } from 'zod';

export const gatewayEnv = {
  ...baseEnv,
  PORT: env.port(8080),
  SB_ADMIN_USER: env.optionalString(),
  SB_ADMIN_PASSWORD: env.optionalString(),
  /** Where clients reach the gateway (tracking links, Location headers of other hosts). */
  SB_PUBLIC_URL: env.string('http://localhost:8080'),
  SB_TRACKING_SECRET: env.optionalString(),
  /** HS256 key of the in-app inbox's end-user tokens (DESIGN §7.7); unset: every /inbox call is a 401. */
  SB_INBOX_SECRET: z.string().min(32, 'SB_INBOX_SECRET must be at least 32 characters (an HS256 key)').optional(),
  /** Lifetime of OAuth2 bearer tokens. */
  SB_TOKEN_TTL_SECONDS: env.int(3600),
  /** How long a successful credential check is trusted without re-hashing. */
  SB_AUTH_CACHE_SECONDS: env.int(60),
  /** Failed logins allowed per username (or OAuth client id), and per client address, in one window. */
  SB_LOGIN_MAX_FAILURES: env.int(10),
  SB_LOGIN_MAX_FAILURES_PER_ADDRESS: env.int(100),
  SB_LOGIN_WINDOW_SECONDS: env.int(900),
  SB_RPC_TIMEOUT_MS: env.int(5000),
  /** A channel whose senders have not announced themselves for this long is no longer available (DESIGN §2). */
  CHANNEL_GONE_AFTER: env.duration(CHANNEL_GONE_AFTER_MS),
  /** Verifies Twilio status callbacks at /webhooks/providers/twilio (X-Twilio-Signature); unset = they are 401. */
  TWILIO_AUTH_TOKEN: env.optionalString(),
  /** SendGrid's signed event webhook verification key (base64 DER); unset = /webhooks/providers/sendgrid is 401. */
  SENDGRID_WEBHOOK_PUBLIC_KEY: env.optionalString(),
  /** Where SNS signing certificates may come from (a regular expression over the URL). */
  SES_SNS_CERT_URL_PATTERN: env.string('^https://sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/'),
  /** Comma-separated SNS topic ARNs accepted at /webhooks/providers/ses; unset = any topic. */
  SES_SNS_TOPIC_ARNS: env.optionalString(),
  /** What `{{ optout }}` shows in previews and what the message preview appends to an SMS without one (sender-sms's variable). */
  SMS_OPT_OUT_TEXT: env.string(DEFAULT_SMS_OPT_OUT_TEXT),
  /** sender-email's default From, whose name `{signature}` shows in email previews (sender-email's variable). */
  EMAIL_FROM: env.string('no-reply@localhost'),
};

export interface GatewayConfig extends BaseConfig {
  http: { port: number; publicUrl: string; bodyLimit: string };
  auth: {
    adminUser?: string;
    adminPassword?: string;
    tokenTtlSeconds: number;
    cacheSeconds: number;
    loginLimits: { maxPerName: number; maxPerAddress: number; windowSeconds: number };
  };
  tracking: { secret?: string };
  inbox: { secret?: string };
  rpcTimeoutMs: number;
  /** `emailSignature`: what sender-email gives templates as `signature` (Mautic's `{signature}`). */
  content: { smsOptOutText: string; emailSignature: string };
  channelGoneAfterMs?: number;
  providers: {
    twilioAuthToken?: string;
    sendgridPublicKey?: string;
    sns: { certUrlPattern: RegExp; topicArns: string[] };
  };
}

export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig(
    gatewayEnv,
    (e) => {
      if ((e.SB_ADMIN_USER === undefined) !== (e.SB_ADMIN_PASSWORD === undefined)) {
        throw new Error('Invalid configuration:\n  SB_ADMIN_USER and SB_ADMIN_PASSWORD must be set together');
      }
      return {
        ...buildBaseConfig(e),
        http: { port: e.PORT, publicUrl: e.SB_PUBLIC_URL.replace(/\/+$/, ''), bodyLimit: '1mb' },
        auth: {
          adminUser: e.SB_ADMIN_USER,
          adminPassword: e.SB_ADMIN_PASSWORD,
          tokenTtlSeconds: e.SB_TOKEN_TTL_SECONDS,
          cacheSeconds: e.SB_AUTH_CACHE_SECONDS,
          loginLimits: {
            maxPerName: e.SB_LOGIN_MAX_FAILURES,
            maxPerAddress: e.SB_LOGIN_MAX_FAILURES_PER_ADDRESS,
            windowSeconds: e.SB_LOGIN_WINDOW_SECONDS,
          },
        },
        tracking: { secret: e.SB_TRACKING_SECRET },
        inbox: { secret: e.SB_INBOX_SECRET },
        rpcTimeoutMs: e.SB_RPC_TIMEOUT_MS,
        content: { smsOptOutText: e.SMS_OPT_OUT_TEXT, emailSignature: mauticSignature(e.EMAIL_FROM) },
        channelGoneAfterMs: e.CHANNEL_GONE_AFTER,
        providers: {
          twilioAuthToken: e.TWILIO_AUTH_TOKEN,
          sendgridPublicKey: e.SENDGRID_WEBHOOK_PUBLIC_KEY,
          sns: {
            certUrlPattern: new RegExp(e.SES_SNS_CERT_URL_PATTERN),
            topicArns: (e.SES_SNS_TOPIC_ARNS ?? '')
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          },
        },
      };
    },
    source,
  );
}
