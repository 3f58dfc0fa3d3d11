import { Injectable } from '@nestjs/common';
import type { Channel, RoutableMessage } from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { auditSelect, categorySelect, type AuditRow, type CategoryRef, type SavedRow } from '../items/sql';
import { selectPage, type ListSql } from '../items/list-query';
import { execute, returning, SqlParams } from '@switchboard/persistence';

export interface MessageChannelRow {
  id: number;
  channel: Channel;
  channelId: number | null;
  channelName: string | null;
  isEnabled: boolean;
}

export interface MessageRow extends AuditRow {
  name: string;
  description: string | null;
  publishUp: Date | null;
  publishDown: Date | null;
  category: CategoryRef | null;
  categoryId: number | null;
  /** Absent in minimal lists. */
  channels?: MessageChannelRow[];
}

/** A message's writable state, as merged for a save. */
export interface MessageState {
  name: string;
  description: string | null;
  isPublished: boolean;
  publishUp: string | null;
  publishDown: string | null;
  category: number | null;
  channels: { channel: Channel; channelId: number | null; isEnabled: boolean }[];
}

/** One subquery gives the channels with their content item's name: no N+1. */
const CHANNELS_SELECT = `(SELECT COALESCE(json_agg(json_build_object('id', mc.id, 'channel', mc.channel, 'channelId', mc.channel_id,
      'channelName', ct.name, 'isEnabled', mc.is_enabled) ORDER BY mc.position, mc.id), '[]'::json)
    FROM catalog.message_channels mc
    LEFT JOIN catalog.contents ct ON ct.id = mc.channel_id AND ct.type = mc.content_type
   WHERE mc.message_id = m.id) AS channels`;

interface UpsertedRow {
  id: number;
  inserted: boolean;
}
type LockedMessageRow = MessageState & { version: number };

function selectSql(minimal: boolean): string {
  return `SELECT ${auditSelect('m')}, m.name, m.description, m.publish_up AS "publishUp", m.publish_down AS "publishDown",
      m.category_id AS "categoryId", ${categorySelect('cat')}${minimal ? '' : `, ${CHANNELS_SELECT}`}`;
}
const FROM = 'FROM catalog.messages m LEFT JOIN catalog.categories cat ON cat.id = m.category_id';

const GET_SQL = `${selectSql(false)} ${FROM} WHERE m.id = $1`;

export const PUBLISHED_SQL = `(m.is_published AND (m.publish_up IS NULL OR m.publish_up <= now()) AND (m.publish_down IS NULL OR m.publish_down > now()))`;

/** A message as the router reads it, its publication window as stored. */
type RoutableRow = Omit<RoutableMessage, 'publishUp' | 'publishDown'> & {
  publishUp: Date | null;
  publishDown: Date | null;
};

@Injectable()
export class MessagesRepository {
  constructor(private readonly ds: DataSource) {}

  async findById(id: number, em: EntityManager | DataSource = this.ds): Promise<MessageRow | undefined> {
    const rows = await em.query<MessageRow[]>(GET_SQL, [id]);
    return rows[0];
  }

  list(sql: ListSql, minimal: boolean): Promise<{ rows: MessageRow[]; total: number }> {
    return selectPage(this.ds, sql, selectSql(minimal), FROM, `m.email_id IS NULL AND ${sql.where}`);
  }

  /**
   * The message of one email (its only channel, enabled), made on first use; concurrent first
   * uses get the same one.
   */
  async emailMessage(emailId: number, name: string): Promise<number> {
    return this.ds.transaction(async (em) => {
      const rows = await em.query<UpsertedRow[]>(
        `INSERT INTO catalog.messages (name, description, is_published, email_id)
         VALUES ($1, 'Sends one email (Mautic email send endpoints).', true, $2)
         ON CONFLICT (email_id) DO UPDATE SET email_id = EXCLUDED.email_id
         RETURNING id, (xmax = 0) AS inserted`,
        [name, emailId],
      );
      const { id, inserted } = rows[0];
      if (inserted)
        await execute(
          em,
          `INSERT INTO catalog.message_channels (message_id, channel, channel_id, is_enabled, position)
           VALUES ($1, 'email', $2, true, 0)`,
          [id, emailId],
        );
      return id;
    });
  }

  /** The current state, locked for the rest of the transaction. */
  async lockState(em: EntityManager, id: number): Promise<(MessageState & { version: number }) | undefined> {
    const rows = await em.query<LockedMessageRow[]>(
      `SELECT m.name, m.description, m.is_published AS "isPublished", m.publish_up AS "publishUp", m.publish_down AS "publishDown",
              m.category_id AS category, m.version,
              (SELECT COALESCE(json_agg(json_build_object('channel', mc.channel, 'channelId', mc.channel_id, 'isEnabled', mc.is_enabled)
                        ORDER BY mc.position, mc.id), '[]'::json)
                 FROM catalog.message_channels mc WHERE mc.message_id = m.id) AS channels
         FROM catalog.messages m WHERE m.id = $1 FOR UPDATE OF m`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);
    return { ...row, publishUp: iso(row.publishUp), publishDown: iso(row.publishDown) };
  }

  async insert(
    em: EntityManager,
    s: MessageState,
    actor: { id: number | null; name: string | null },
  ): Promise<SavedRow> {
    const rows = await em.query<SavedRow[]>(
      `INSERT INTO catalog.messages (name, description, is_published, publish_up, publish_down, category_id, created_by, created_by_user)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, version`,
      [s.name, s.description, s.isPublished, s.publishUp, s.publishDown, s.category, actor.id, actor.name],
    );
    return rows[0];
  }

  async update(
    em: EntityManager,
    id: number,
    s: MessageState,
    actor: { id: number | null; name: string | null },
  ): Promise<SavedRow> {
    const rows = await returning<SavedRow>(
      em,
      `UPDATE catalog.messages SET name = $2, description = $3, is_published = $4, publish_up = $5, publish_down = $6, category_id = $7,
              modified_by = $8, modified_by_user = $9, date_modified = now(), version = version + 1
        WHERE id = $1 RETURNING id, version`,
      [id, s.name, s.description, s.isPublished, s.publishUp, s.publishDown, s.category, actor.id, actor.name],
    );
    return rows[0];
  }

  /** The message's channel rows become exactly `channels`, in that order (row ids kept for channels that stay). */
  async replaceChannels(em: EntityManager, id: number, channels: MessageState['channels']): Promise<void> {
    const p = new SqlParams();
    const message = p.add(id);
    const names = p.add(channels.map((c) => c.channel));
    await execute(
      em,
      `WITH gone AS (DELETE FROM catalog.message_channels WHERE message_id = ${message} AND channel <> ALL(${names}::text[]))
       INSERT INTO catalog.message_channels (message_id, channel, channel_id, is_enabled, position)
       SELECT ${message}, t.channel, t.channel_id, t.is_enabled, t.position
         FROM unnest(${names}::text[], ${p.add(channels.map((c) => c.channelId))}::int[], ${p.add(channels.map((c) => c.isEnabled))}::boolean[],
                     ${p.add(channels.map((_c, i) => i))}::int[]) AS t(channel, channel_id, is_enabled, position)
       ON CONFLICT (message_id, channel) DO UPDATE
         SET channel_id = EXCLUDED.channel_id, is_enabled = EXCLUDED.is_enabled, position = EXCLUDED.position`,
      p.values,
    );
  }

  async delete(em: EntityManager, id: number): Promise<void> {
    await execute(em, 'DELETE FROM catalog.messages WHERE id = $1', [id]);
  }

  /** Messages whose channels use a content item; their version is bumped (their routable view changed). */
  async touchUsersOf(em: EntityManager, contentType: string, contentId: number): Promise<SavedRow[]> {
    const rows = await returning<SavedRow>(
      em,
      `UPDATE catalog.messages SET version = version + 1
        WHERE id IN (SELECT message_id FROM catalog.message_channels WHERE content_type = $1 AND channel_id = $2)
        RETURNING id, version`,
      [contentType, contentId],
    );
    return rows;
  }

  async routable(ids: number[]): Promise<RoutableMessage[]> {
    const rows = await this.ds.query<RoutableRow[]>(
      `SELECT m.id, m.is_published AS "isPublished", m.publish_up AS "publishUp", m.publish_down AS "publishDown", m.version,
              (SELECT COALESCE(json_agg(json_build_object('channel', mc.channel, 'channelId', mc.channel_id, 'isEnabled', mc.is_enabled,
                        'contentAvailable', COALESCE(ct.is_published AND (ct.publish_up IS NULL OR ct.publish_up <= now())
                                                     AND (ct.publish_down IS NULL OR ct.publish_down > now()), false))
                        ORDER BY mc.position, mc.id), '[]'::json)
                 FROM catalog.message_channels mc
                 LEFT JOIN catalog.contents ct ON ct.id = mc.channel_id AND ct.type = mc.content_type
                WHERE mc.message_id = m.id) AS channels
         FROM catalog.messages m WHERE m.id = ANY($1::int[])`,
      [ids],
    );
    return rows.map((r) => ({
      ...r,
      publishUp: r.publishUp ? r.publishUp.toISOString() : null,
      publishDown: r.publishDown ? r.publishDown.toISOString() : null,
    }));
  }
}
