import { baseEnv, buildBaseConfig, env, loadConfig, type BaseConfig } from '@switchboard/config';
import { DEFAULT_SMS_OPT_OUT_TEXT, DEFAULT_UNSUBSCRIBE_TEXT } from '@switchboard/contracts';

export const catalogEnv = {
  ...baseEnv,
  /** PostgreSQL pool size of one catalog instance. */
  CATALOG_DB_POOL: env.int(10),
  /** Saving published content without its opt-out or unsubscribe tag is a 400 unless the request sets autoAppendOptOut (DESIGN §7.2). */
  SB_STRICT_OPTOUT: env.bool(false),
  /** The SMS footer autoAppendOptOut stores; the same variable as sender-sms's, which appends it at send time. */
  SMS_OPT_OUT_TEXT: env.string(DEFAULT_SMS_OPT_OUT_TEXT),
  /** The unsubscribe link's label autoAppendOptOut stores; the same variable as sender-email's. */
  EMAIL_UNSUBSCRIBE_TEXT: env.string(DEFAULT_UNSUBSCRIBE_TEXT),
};

export interface CatalogConfig extends BaseConfig {
  poolSize: number;
  optOut: { strict: boolean; smsText: string; unsubscribeText: string };
}

export function loadCatalogConfig(source: NodeJS.ProcessEnv = process.env): CatalogConfig {
  return loadConfig(
    catalogEnv,
    (e) => ({
      ...buildBaseConfig(e),
      poolSize: e.CATALOG_DB_POOL,
      optOut: { strict: e.SB_STRICT_OPTOUT, smsText: e.SMS_OPT_OUT_TEXT, unsubscribeText: e.EMAIL_UNSUBSCRIBE_TEXT },
    }),
    source,
  );
}
