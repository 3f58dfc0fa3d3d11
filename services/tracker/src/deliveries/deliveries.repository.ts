import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DeliveriesPage, DeliveriesQuery, DeliveryRow } from '@switchboard/contracts';
import { ContactSearch, matchingContacts, searchCondition, type SearchMatch } from './contact-search';
import { decodeCursor, encodeCursor } from './deliveries-cursor';

interface Row {
  id: string;
  cursor_us: string;
  send_id: string;
  dispatch_id: string | null;
  message_id: number;
  campaign_id: string | null;
  campaign_event_id: string | null;
  shipment_id: string | null;
  channel: string | null;
  status: string;
  contact_id: string;
  email: string | null;
  name: string | null;
  skipped: DeliveryRow['reasons'];
  failure_reason: string | null;
  error: DeliveryRow['error'];
  variant: string | null;
  dynamic_content: Record<string, string> | null;
  attempts: number;
  deferrals: number;
  retry_at: Date | null;
  opens: number;
  clicks: number;
  created_at: Date;
  updated_at: Date;
  routed_at: Date | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  failed_at: Date | null;
  bounced_at: Date | null;
  opened_at: Date | null;
  clicked_at: Date | null;
  unsubscribed_at: Date | null;
  complained_at: Date | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

@Injectable()
export class DeliveriesRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly search: ContactSearch,
  ) {}

  /** One page, newest first, by keyset on (created_at, id): every filter is served by an index range. */
  async page(q: DeliveriesQuery): Promise<DeliveriesPage> {
    const match = q.search === undefined ? undefined : await this.search.match(q.search);
    const { sql, params } = pageQuery(q, match);
    const rows = await this.ds.query<Row[]>(sql, params);
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const last = page[page.length - 1];
    return {
      deliveries: page.map(toDelivery),
      next: more && last ? encodeCursor({ createdUs: last.cursor_us, id: last.id }) : null,
    };
  }
}

/**
 * The SQL of one page (one row more than asked, to know whether another page follows). A search
 * that matched a few contacts reads each one's newest rows through the contact index and merges
 * them; more contacts are hashed once and tested while walking the index the other filters pick;
 * too many to hash (then they are so many that a page is soon found) are probed row by row.
 * A search reads only ids while it looks, and the rows of the page at the end.
 */
export function pageQuery(q: DeliveriesQuery, match?: SearchMatch): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (q.messageId !== undefined) where.push(`d.message_id = ${param(q.messageId)}`);
  if (q.campaignId !== undefined) where.push(`d.campaign_id = ${param(q.campaignId)}`);
  if (q.shipmentId !== undefined) where.push(`d.shipment_id = ${param(q.shipmentId)}`);
  if (q.contactId !== undefined) where.push(`d.contact_id = ${param(q.contactId)}`);
  if (q.channel !== undefined) where.push(`d.channel = ${param(q.channel)}`);
  if (q.status !== undefined) where.push(`d.status = ${param(q.status)}`);
  if (q.from !== undefined) where.push(`d.created_at >= ${param(q.from)}::timestamptz`);
  if (q.to !== undefined) where.push(`d.created_at < ${param(q.to)}::timestamptz`);
  if (q.after !== undefined) {
    const c = decodeCursor(q.after);
    where.push(
      `(d.created_at, d.id) < ('epoch'::timestamptz + ${param(c.createdUs)}::bigint * interval '1 microsecond', ${param(c.id)}::bigint)`,
    );
  }
  const limit = q.limit + 1;
  const order = 'ORDER BY d.created_at DESC, d.id DESC';
  const select = (columns: string, conditions: string[]) =>
    `SELECT ${columns} FROM tracker.deliveries d
     ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
     ${order} LIMIT ${limit}`;
  const rowsOf = (ids: string) => `SELECT d.* FROM (${ids}) k JOIN tracker.deliveries d ON d.id = k.id`;
  let page: string;
  if (match?.plan === 'per-contact') {
    const contacts = `(${matchingContacts(match, param)}) UNION SELECT ${param(match.exact)}`;
    const newest = select('d.created_at, d.id', [...where, 'd.contact_id = s.contact_id']);
    page = rowsOf(
      `SELECT d.id FROM (${contacts}) s(contact_id) CROSS JOIN LATERAL (${newest}) d ${order} LIMIT ${limit}`,
    );
  } else if (match) {
    page = rowsOf(select('d.id', [...where, searchCondition(match, param)]));
  } else {
    page = select('d.*', where);
  }
  const sql = `SELECT d.*, (extract(epoch FROM d.created_at) * 1000000)::bigint AS cursor_us, c.email, c.name
     FROM (${page}) d
     LEFT JOIN tracker.contacts c ON c.contact_id = d.contact_id
     ${order}`;
  return { sql, params };
}

function toDelivery(r: Row): DeliveryRow {
  return {
    id: Number(r.id),
    sendId: r.send_id,
    dispatchId: r.dispatch_id,
    messageId: r.message_id,
    campaignId: r.campaign_id,
    campaignEventId: r.campaign_event_id,
    shipmentId: r.shipment_id,
    channel: r.channel as DeliveryRow['channel'],
    status: r.status as DeliveryRow['status'],
    contact: { id: r.contact_id, email: r.email, name: r.name },
    reasons: r.skipped,
    failureReason: r.failure_reason,
    error: r.error,
    variant: r.variant,
    dynamicContent: r.dynamic_content,
    attempts: r.attempts,
    deferrals: r.deferrals,
    retryAt: iso(r.retry_at),
    opens: r.opens,
    clicks: r.clicks,
    dateAdded: r.created_at.toISOString(),
    dateModified: r.updated_at.toISOString(),
    routedAt: iso(r.routed_at),
    sentAt: iso(r.sent_at),
    deliveredAt: iso(r.delivered_at),
    failedAt: iso(r.failed_at),
    bouncedAt: iso(r.bounced_at),
    openedAt: iso(r.opened_at),
    clickedAt: iso(r.clicked_at),
    unsubscribedAt: iso(r.unsubscribed_at),
    complainedAt: iso(r.complained_at),
  };
}
