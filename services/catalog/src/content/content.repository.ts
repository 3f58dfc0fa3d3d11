import { Injectable } from '@nestjs/common';
import type { Actor, ContentType } from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { selectPage, type ListSql } from '../items/list-query';
import { auditSelect, categorySelect, type AuditRow, type CategoryRef, type SavedRow } from '../items/sql';
import { execute, returning } from '@switchboard/persistence';

export interface ContentRow extends AuditRow {
  type: ContentType;
  name: string;
  description: string | null;
  language: string | null;
  publishUp: Date | null;
  publishDown: Date | null;
  categoryId: number | null;
  fields: Record<string, unknown>;
  category: CategoryRef | null;
}

export interface ContentState {
  name: string;
  description: string | null;
  language: string | null;
  isPublished: boolean;
  publishUp: string | null;
  publishDown: string | null;
  category: number | null;
  fields: Record<string, unknown>;
}

const SELECT = `SELECT ${auditSelect('ct')}, ct.type, ct.name, ct.description, ct.language, ct.publish_up AS "publishUp",
    ct.publish_down AS "publishDown", ct.category_id AS "categoryId", ct.fields, ${categorySelect('cat')}`;
const FROM = 'FROM catalog.contents ct LEFT JOIN catalog.categories cat ON cat.id = ct.category_id';

export const CONTENT_PUBLISHED_SQL = `(ct.is_published AND (ct.publish_up IS NULL OR ct.publish_up <= now()) AND (ct.publish_down IS NULL OR ct.publish_down > now()))`;

/** A content item's editable state as stored, locked for an update. */
type LockedContentRow = ContentState & { version: number; publishUp: Date | null; publishDown: Date | null };

@Injectable()
export class ContentRepository {
  constructor(private readonly ds: DataSource) {}

  async findById(
    type: ContentType,
    id: number,
    em: EntityManager | DataSource = this.ds,
  ): Promise<ContentRow | undefined> {
    const rows = await em.query<ContentRow[]>(`${SELECT} ${FROM} WHERE ct.type = $1 AND ct.id = $2`, [type, id]);
    return rows[0];
  }

  list(type: ContentType, sql: ListSql): Promise<{ rows: ContentRow[]; total: number }> {
    return selectPage(this.ds, sql, SELECT, FROM, `ct.type = ${sql.params.add(type)} AND ${sql.where}`);
  }

  async lockState(
    em: EntityManager,
    type: ContentType,
    id: number,
  ): Promise<(ContentState & { version: number }) | undefined> {
    const rows = await em.query<LockedContentRow[]>(
      `SELECT name, description, language, is_published AS "isPublished", publish_up AS "publishUp", publish_down AS "publishDown",
              category_id AS category, fields, version
         FROM catalog.contents WHERE type = $1 AND id = $2 FOR UPDATE`,
      [type, id],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      ...row,
      publishUp: row.publishUp?.toISOString() ?? null,
      publishDown: row.publishDown?.toISOString() ?? null,
    };
  }

  async insert(em: EntityManager, type: ContentType, s: ContentState, actor: Actor): Promise<SavedRow> {
    const rows = await em.query<SavedRow[]>(
      `INSERT INTO catalog.contents (type, name, description, language, is_published, publish_up, publish_down, category_id, fields, created_by, created_by_user)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id, version`,
      [
        type,
        s.name,
        s.description,
        s.language,
        s.isPublished,
        s.publishUp,
        s.publishDown,
        s.category,
        JSON.stringify(s.fields),
        actor.id,
        actor.name,
      ],
    );
    return rows[0];
  }

  async update(em: EntityManager, type: ContentType, id: number, s: ContentState, actor: Actor): Promise<SavedRow> {
    const rows = await returning<SavedRow>(
      em,
      `UPDATE catalog.contents SET name = $3, description = $4, language = $5, is_published = $6, publish_up = $7, publish_down = $8,
              category_id = $9, fields = $10, modified_by = $11, modified_by_user = $12, date_modified = now(), version = version + 1
        WHERE type = $1 AND id = $2 RETURNING id, version`,
      [
        type,
        id,
        s.name,
        s.description,
        s.language,
        s.isPublished,
        s.publishUp,
        s.publishDown,
        s.category,
        JSON.stringify(s.fields),
        actor.id,
        actor.name,
      ],
    );
    return rows[0];
  }

  async delete(em: EntityManager, type: ContentType, id: number): Promise<void> {
    await execute(em, 'DELETE FROM catalog.contents WHERE type = $1 AND id = $2', [type, id]);
  }
}
