import { prunerProvider } from '@switchboard/persistence';
import type { RouterConfig } from './router.config';

/** The router's records past ROUTER_RECORDS_RETENTION_DAYS: long after their sends expired (7 days) and their deliveries ended. */
export function routerPruner(config: RouterConfig) {
  const olderThanMs = config.routing.recordsRetentionDays * 86_400_000;
  return prunerProvider([
    { table: 'router.decisions', column: 'decided_at', olderThanMs },
    { table: 'router.delivery_events', column: 'received_at', olderThanMs },
  ]);
}
