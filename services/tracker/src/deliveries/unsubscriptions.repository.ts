import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Channel, Unsubscription } from '@switchboard/contracts';
import { ContactSearch, searchCondition } from './contact-search';

export interface UnsubscriptionsQuery {
  search?: string;
  channel?: Channel;
  start: number;
  limit: number;
}

interface TotalRow {
  total: number;
}

/** The latest unsubscribed send of a (contact, channel), with the contact's address. */
interface UnsubscribedRow {
  contact_id: string;
  channel: Channel;
  message_id: number;
  campaign_id: string | null;
  send_id: string;
  unsubscribed_at: Date;
  email: string | null;
  name: string | null;
}

@Injectable()
export class UnsubscriptionsRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly search: ContactSearch,
  ) {}

  /** The latest unsubscribed send of each (contact, channel), newest first. */
  async list(q: UnsubscriptionsQuery): Promise<{ total: number; unsubscriptions: Unsubscription[] }> {
    const where = ['d.unsubscribed_at IS NOT NULL'];
    const params: unknown[] = [];
    if (q.channel) where.push(`d.channel = $${params.push(q.channel)}`);
    if (q.search) where.push(searchCondition(await this.search.match(q.search), (v) => `$${params.push(v)}`));
    const latest = `SELECT DISTINCT ON (d.contact_id, d.channel) d.contact_id, d.channel, d.message_id, d.campaign_id, d.send_id, d.unsubscribed_at, d.id
                    FROM tracker.deliveries d WHERE ${where.join(' AND ')}
                    ORDER BY d.contact_id, d.channel, d.unsubscribed_at DESC, d.id DESC`;
    const [{ total }] = await this.ds.query<TotalRow[]>(`SELECT count(*)::int AS total FROM (${latest}) u`, params);
    const rows = await this.ds.query<UnsubscribedRow[]>(
      `SELECT u.*, c.email, c.name FROM (${latest}) u
       LEFT JOIN tracker.contacts c ON c.contact_id = u.contact_id
       ORDER BY u.unsubscribed_at DESC, u.id DESC
       OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, q.start, q.limit],
    );
    return {
      total,
      unsubscriptions: rows.map((r) => ({
        contact: { id: r.contact_id, email: r.email, name: r.name },
        channel: r.channel,
        messageId: r.message_id,
        campaignId: r.campaign_id,
        sendId: r.send_id,
        dateAdded: r.unsubscribed_at.toISOString(),
      })),
    };
  }
}
