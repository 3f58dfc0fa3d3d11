import { dayOf, type EventKind, type TrackedEvent } from './tracked-event';

export const COUNTER_COLUMNS = [
  'reach',
  'c_reach',
  't_reach',
  'ct_reach',
  'shipments',
  'c_shipments',
  't_shipments',
  'ct_shipments',
  'sent',
  'delivered',
  'failed',
  'bounced',
  'opened',
  'unique_opened',
  'c_unique_opened',
  't_unique_opened',
  'ct_unique_opened',
  'clicked',
  'unique_clicked',
  'c_unique_clicked',
  't_unique_clicked',
  'ct_unique_clicked',
  'unsubscribed',
  'complained',
  'deferred',
  't_deferred',
  'suppressed',
] as const;
export type CounterColumn = (typeof COUNTER_COLUMNS)[number];

/** One counters row: (message, campaign or '', channel or '', UTC day). */
export interface CounterKey {
  messageId: number;
  campaignKey: string;
  channel: string;
  day: string;
}

export type CounterDelta = CounterKey & { increments: Partial<Record<CounterColumn, number>> };

/** Every channel at once: the firsts behind the exact totals. */
export const ALL_CHANNELS = '*';

/**
 * A "first" behind a distinct figure; `scope` is '' (the message) or the campaign (then `messageId`
 * is 0), `channel` one channel or `*`.
 */
export interface First {
  messageId: number;
  scope: string;
  channel: string;
  kind: 'reach' | 'opened' | 'clicked' | 'shipment' | 'deferred';
  subject: string;
  /** The counters row that counts it: the row of the event that made it. */
  row: CounterKey;
}

/** Each new event adds one to its own figure. */
const EVENT_COLUMN: Partial<Record<EventKind, CounterColumn>> = {
  sent: 'sent',
  delivered: 'delivered',
  failed: 'failed',
  bounced: 'bounced',
  opened: 'opened',
  clicked: 'clicked',
  unsubscribed: 'unsubscribed',
  complained: 'complained',
  suppressed: 'suppressed',
};

/** The column a new first adds one to, by kind, then scope (message or campaign), then channel (one or all). */
const FIRST_COLUMN: Record<
  First['kind'],
  { message: [CounterColumn, CounterColumn]; campaign?: [CounterColumn, CounterColumn] }
> = {
  reach: { message: ['reach', 't_reach'], campaign: ['c_reach', 'ct_reach'] },
  opened: { message: ['unique_opened', 't_unique_opened'], campaign: ['c_unique_opened', 'ct_unique_opened'] },
  clicked: { message: ['unique_clicked', 't_unique_clicked'], campaign: ['c_unique_clicked', 'ct_unique_clicked'] },
  shipment: { message: ['shipments', 't_shipments'], campaign: ['c_shipments', 'ct_shipments'] },
  deferred: { message: ['deferred', 't_deferred'] },
};

export function rowOf(e: TrackedEvent): CounterKey {
  return {
    messageId: e.messageId,
    campaignKey: e.campaignId ?? '',
    channel: e.channel ?? '',
    day: dayOf(e.occurredAt),
  };
}

export function firstKey(f: Pick<First, 'messageId' | 'scope' | 'channel' | 'kind' | 'subject'>): string {
  return JSON.stringify([f.messageId, f.scope, f.channel, f.kind, f.subject]);
}

function rowKey(k: CounterKey): string {
  return JSON.stringify([k.messageId, k.campaignKey, k.channel, k.day]);
}

/**
 * The firsts that new events could make: reach on `sent`, unique opens and clicks per contact (for
 * the message, and for the campaign when there is one), a shipment on any event that carries one,
 * and a deferred send; each on the event's channel and on all channels. Within a batch the
 * earliest event makes the first.
 */
export function firstCandidates(events: TrackedEvent[]): First[] {
  const out = new Map<string, First>();
  const sorted = [...events].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  const add = (e: TrackedEvent, kind: First['kind'], subject: string, scope = '') => {
    for (const channel of [e.channel ?? '', ALL_CHANNELS]) {
      // Campaign firsts span the campaign's messages: a contact reached by two of them counts once.
      const first: First = { messageId: scope ? 0 : e.messageId, scope, channel, kind, subject, row: rowOf(e) };
      const key = firstKey(first);
      if (!out.has(key)) out.set(key, first);
    }
  };
  for (const e of sorted) {
    const perContact =
      e.kind === 'sent' ? 'reach' : e.kind === 'opened' ? 'opened' : e.kind === 'clicked' ? 'clicked' : undefined;
    if (perContact) {
      add(e, perContact, e.contactId);
      if (e.campaignId) add(e, perContact, e.contactId, e.campaignId);
    }
    if (e.shipmentId) {
      add(e, 'shipment', e.shipmentId);
      if (e.campaignId) add(e, 'shipment', e.shipmentId, e.campaignId);
    }
    if (e.kind === 'deferred') add(e, 'deferred', e.sendId);
  }
  return [...out.values()];
}

/** The increments of one batch: its new events, and the firsts that were new in the database. */
export function counterDeltas(newEvents: TrackedEvent[], newFirsts: First[]): CounterDelta[] {
  const rows = new Map<string, CounterDelta>();
  const bump = (key: CounterKey, column: CounterColumn) => {
    const id = rowKey(key);
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { ...key, increments: {} }));
    row.increments[column] = (row.increments[column] ?? 0) + 1;
  };
  for (const e of newEvents) {
    // A re-route that finds no channel ends a send its dispatch's failure or bounce already counts.
    if (e.kind === 'suppressed' && e.reroute) continue;
    const column = EVENT_COLUMN[e.kind];
    if (column) bump(rowOf(e), column);
  }
  for (const f of newFirsts) {
    const columns = f.scope === '' ? FIRST_COLUMN[f.kind].message : FIRST_COLUMN[f.kind].campaign;
    if (columns) bump(f.row, columns[f.channel === ALL_CHANNELS ? 1 : 0]);
  }
  // A stable order of rows keeps concurrent batches from deadlocking on the same counters.
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}
