import { baseEnv, buildBaseConfig, env, loadConfig, type BaseConfig } from '@switchboard/config';

export const catalogEnv = {
  ...baseEnv,
  /** PostgreSQL pool size of one catalog instance. */
  CATALOG_DB_POOL: env.int(10),
};

export interface CatalogConfig extends BaseConfig {
  poolSize: number;
}

export function loadCatalogConfig(source: NodeJS.ProcessEnv = process.env): CatalogConfig {
  return loadConfig(catalogEnv, (e) => ({ ...buildBaseConfig(e), poolSize: e.CATALOG_DB_POOL }), source);
}
