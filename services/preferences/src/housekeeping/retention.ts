import { prunerProvider } from '@switchboard/persistence';

/** Longer than the longest frequency window (30 days) and any redelivery: a day of margin. */
export const PREFERENCES_RETENTION_MS = 31 * 86_400_000;

/** Drops what no rule can need any more: decisions (with their reservations) and processed event keys. */
export const preferencesPruner = prunerProvider([
  { table: 'preferences.decisions', column: 'decided_at', olderThanMs: PREFERENCES_RETENTION_MS },
  { table: 'preferences.processed_events', column: 'processed_at', olderThanMs: PREFERENCES_RETENTION_MS },
]);
