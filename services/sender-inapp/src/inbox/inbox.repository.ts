import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ContactDataEraser } from '@switchboard/channel-sdk';
import { returning, execute } from '@switchboard/persistence';
import type { InboxListQuery, InboxMessage } from '@switchboard/contracts';

const TABLE = 'sender_inapp.inbox_messages';

/** What the sender stores for one dispatch. */
export interface NewInboxEntry {
  dispatchId: string;
  sendId: string;
  messageId: number;
  contactId: string;
  campaignId: string | null;
  campaignEventId: string | null;
  shipmentId: string | null;
  title: string;
  body: string | null;
  url: string | null;
  icon: string | null;
  expiresAt: Date;
}

/** A stored entry: its id, and whether this write stored it (false: the dispatch was already there). */
export interface StoredEntry {
  dispatchId: string;
  id: number;
  createdAt: Date;
  inserted: boolean;
}

/** The references a delivery event of a stored message carries. */
export interface EntryRefs {
  id: number;
  dispatchId: string;
  sendId: string;
  messageId: number;
  contactId: string;
  campaignId: string | null;
  campaignEventId: string | null;
  shipmentId: string | null;
}

interface MessageRow {
  id: string;
  title: string;
  body: string | null;
  url: string | null;
  icon: string | null;
  readAt: Date | null;
  createdAt: Date;
}
interface InsertedRow {
  id: string;
  dispatchId: string;
  createdAt: Date;
}
interface CountRow {
  unread: number;
}
interface TotalRow {
  total: number;
}
interface IdRow {
  id: string;
}
interface RefsRow extends Omit<EntryRefs, 'id'> {
  id: string;
}

const VISIBLE = 'archived_at IS NULL AND expires_at > now()';
const MESSAGE_COLUMNS = `id, title, body, url, icon, read_at AS "readAt", created_at AS "createdAt"`;
const REFS_COLUMNS = `id, dispatch_id AS "dispatchId", send_id AS "sendId", message_id AS "messageId",
  contact_id AS "contactId", campaign_id AS "campaignId", campaign_event_id AS "campaignEventId", shipment_id AS "shipmentId"`;

export function toInboxMessage(row: MessageRow): InboxMessage {
  return {
    id: Number(row.id),
    title: row.title,
    body: row.body,
    url: row.url,
    icon: row.icon,
    readAt: row.readAt ? row.readAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The contacts' inboxes. Every read and write names the contact: no query can reach another's message. */
@Injectable()
export class InboxRepository implements ContactDataEraser {
  constructor(private readonly ds: DataSource) {}

  /** Stores a batch in one statement; a dispatch already stored keeps its row (redelivery). */
  async insert(entries: NewInboxEntry[]): Promise<StoredEntry[]> {
    if (entries.length === 0) return [];
    const col = <K extends keyof NewInboxEntry>(key: K) => entries.map((e) => e[key]);
    const inserted = await this.ds.query<InsertedRow[]>(
      `INSERT INTO ${TABLE} (dispatch_id, send_id, message_id, contact_id, campaign_id, campaign_event_id, shipment_id,
         title, body, url, icon, expires_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[])
       ON CONFLICT (dispatch_id) DO NOTHING
       RETURNING id, dispatch_id AS "dispatchId", created_at AS "createdAt"`,
      [
        col('dispatchId'),
        col('sendId'),
        col('messageId'),
        col('contactId'),
        col('campaignId'),
        col('campaignEventId'),
        col('shipmentId'),
        col('title'),
        col('body'),
        col('url'),
        col('icon'),
        col('expiresAt'),
      ],
    );
    const stored = new Map<string, StoredEntry>(
      inserted.map((r) => [
        r.dispatchId,
        { dispatchId: r.dispatchId, id: Number(r.id), createdAt: r.createdAt, inserted: true },
      ]),
    );
    const missing = entries.filter((e) => !stored.has(e.dispatchId)).map((e) => e.dispatchId);
    if (missing.length) {
      const existing = await this.ds.query<InsertedRow[]>(
        `SELECT id, dispatch_id AS "dispatchId", created_at AS "createdAt" FROM ${TABLE} WHERE dispatch_id = ANY($1::text[])`,
        [missing],
      );
      for (const r of existing)
        stored.set(r.dispatchId, {
          dispatchId: r.dispatchId,
          id: Number(r.id),
          createdAt: r.createdAt,
          inserted: false,
        });
    }
    return entries.flatMap((e) => stored.get(e.dispatchId) ?? []);
  }

  async list(contactId: string, query: InboxListQuery): Promise<{ total: number; messages: InboxMessage[] }> {
    const unreadOnly = query.unread ? 'AND read_at IS NULL' : '';
    const order =
      query.sort === 'unread' ? '(read_at IS NOT NULL), created_at DESC, id DESC' : 'created_at DESC, id DESC';
    const [rows, [{ total }]] = await Promise.all([
      this.ds.query<MessageRow[]>(
        `SELECT ${MESSAGE_COLUMNS} FROM ${TABLE}
          WHERE contact_id = $1 AND ${VISIBLE} ${unreadOnly}
          ORDER BY ${order} LIMIT $2 OFFSET $3`,
        [contactId, query.limit, query.start],
      ),
      this.ds.query<TotalRow[]>(
        `SELECT count(*)::int AS total FROM ${TABLE} WHERE contact_id = $1 AND ${VISIBLE} ${unreadOnly}`,
        [contactId],
      ),
    ]);
    return { total, messages: rows.map(toInboxMessage) };
  }

  async unreadCount(contactId: string): Promise<number> {
    const [{ unread }] = await this.ds.query<CountRow[]>(
      `SELECT count(*)::int AS unread FROM ${TABLE} WHERE contact_id = $1 AND read_at IS NULL AND ${VISIBLE}`,
      [contactId],
    );
    return unread;
  }

  /** The contact's visible message, or undefined when it has none with this id. */
  async find(contactId: string, id: number): Promise<{ message: InboxMessage; refs: EntryRefs } | undefined> {
    const [row] = await this.ds.query<(MessageRow & RefsRow)[]>(
      `SELECT ${MESSAGE_COLUMNS}, ${REFS_COLUMNS} FROM ${TABLE} WHERE contact_id = $1 AND id = $2 AND ${VISIBLE}`,
      [contactId, id],
    );
    return row ? { message: toInboxMessage(row), refs: { ...row, id: Number(row.id) } } : undefined;
  }

  /** The contact's unread messages (at most `limit`): what a read-all will open. */
  async unreadRefs(contactId: string, limit: number): Promise<EntryRefs[]> {
    const rows = await this.ds.query<RefsRow[]>(
      `SELECT ${REFS_COLUMNS} FROM ${TABLE} WHERE contact_id = $1 AND read_at IS NULL AND ${VISIBLE}
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      [contactId, limit],
    );
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }

  /** Marks these of the contact's messages read (those already read keep their time). */
  async markRead(contactId: string, ids: number[], at: Date): Promise<void> {
    await execute(
      this.ds,
      `UPDATE ${TABLE} SET read_at = $3 WHERE contact_id = $1 AND id = ANY($2::bigint[]) AND read_at IS NULL`,
      [contactId, ids, at],
    );
  }

  /** true when the contact had this message visible. */
  async archive(contactId: string, id: number): Promise<boolean> {
    const rows = await returning<IdRow>(
      this.ds,
      `UPDATE ${TABLE} SET archived_at = now() WHERE contact_id = $1 AND id = $2 AND ${VISIBLE} RETURNING id`,
      [contactId, id],
    );
    return rows.length > 0;
  }

  async eraseContact(contactId: string): Promise<void> {
    await execute(this.ds, `DELETE FROM ${TABLE} WHERE contact_id = $1`, [contactId]);
  }
}

export const INBOX_RETENTION = { table: TABLE, column: 'expires_at', olderThanMs: 0 };
