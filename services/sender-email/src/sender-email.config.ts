import { env, loadConfig } from '@switchboard/config';
import { buildSenderConfig, senderEnv, type SenderConfig } from '@switchboard/channel-sdk';
import { z } from 'zod';
import { DEFAULT_UNSUBSCRIBE_TEXT } from '@switchboard/contracts';

export const SERVICE = 'sender-email';

export const emailEnv = {
  ...senderEnv,
  SMTP_HOST: env.string('127.0.0.1'),
  SMTP_PORT: env.port(25),
  SMTP_USER: env.optionalString(),
  SMTP_PASS: env.optionalString(),
  /** true = implicit TLS (port 465); otherwise STARTTLS is used when the server offers it. */
  SMTP_SECURE: env.bool(false),
  /** Pooled SMTP connections per instance. */
  SMTP_POOL_SIZE: env.int(5),
  /** Default From when the email content has no fromAddress: `addr` or `Name <addr>`. */
  EMAIL_FROM: env.string('no-reply@localhost'),
  /** The mailto: of List-Unsubscribe; default unsubscribe@<the From's domain>. */
  EMAIL_UNSUBSCRIBE_MAILTO: z.email().optional(),
  EMAIL_OPEN_TRACKING: env.bool(true),
  EMAIL_CLICK_TRACKING: env.bool(true),
  /** Footer link text added when the content has no {{ unsubscribe_url }}. */
  EMAIL_UNSUBSCRIBE_TEXT: env.string(DEFAULT_UNSUBSCRIBE_TEXT),
  /**
   * How long the copy behind an email's `{{ webview_url }}` is kept (only emails whose content uses
   * the link get one); after that the link answers 404. Mautic keeps its copies until a cleanup.
   */
  EMAIL_WEBVIEW_RETENTION_DAYS: z.coerce.number().positive().default(30),
  /** VERP return paths `bounce+<signed dispatch token>@<domain>` (MAIL FROM); unset = the From address. */
  SMTP_BOUNCE_DOMAIN: env.optionalString(),
  /** The inbound SMTP listener for DSN and ARF reports (the bounce domain's MX points here); unset = none. */
  SMTP_BOUNCE_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SMTP_BOUNCE_HOST: env.string('0.0.0.0'),
};

export interface EmailConfig extends SenderConfig {
  smtp: { host: string; port: number; secure: boolean; user?: string; pass?: string; poolSize: number };
  email: {
    from: string;
    unsubscribeMailto?: string;
    openTracking: boolean;
    clickTracking: boolean;
    unsubscribeText: string;
    webViewRetentionMs: number;
  };
  bounces: { domain?: string; listen?: { host: string; port: number } };
}

export function loadEmailConfig(source: NodeJS.ProcessEnv = process.env): EmailConfig {
  return loadConfig(
    emailEnv,
    (e) => {
      if ((e.SMTP_USER === undefined) !== (e.SMTP_PASS === undefined)) {
        throw new Error('Invalid configuration:\n  SMTP_USER and SMTP_PASS must be set together');
      }
      return {
        ...buildSenderConfig(e),
        smtp: {
          host: e.SMTP_HOST,
          port: e.SMTP_PORT,
          secure: e.SMTP_SECURE,
          user: e.SMTP_USER,
          pass: e.SMTP_PASS,
          poolSize: Math.max(1, e.SMTP_POOL_SIZE),
        },
        email: {
          from: e.EMAIL_FROM,
          unsubscribeMailto: e.EMAIL_UNSUBSCRIBE_MAILTO,
          openTracking: e.EMAIL_OPEN_TRACKING,
          clickTracking: e.EMAIL_CLICK_TRACKING,
          unsubscribeText: e.EMAIL_UNSUBSCRIBE_TEXT,
          webViewRetentionMs: Math.round(e.EMAIL_WEBVIEW_RETENTION_DAYS * 86_400_000),
        },
        bounces: {
          domain: e.SMTP_BOUNCE_DOMAIN,
          listen: e.SMTP_BOUNCE_PORT === undefined ? undefined : { host: e.SMTP_BOUNCE_HOST, port: e.SMTP_BOUNCE_PORT },
        },
      };
    },
    source,
  );
}
