import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Sql } from '../contacts/contacts.repository';

export interface SegmentFilterRow {
  id: number;
  filters: unknown[];
}

@Injectable()
export class SegmentsRepository {
  constructor(private readonly ds: DataSource) {}

  /** The filters of the segments that exist among `ids`. */
  async filtersOf(ids: number[]): Promise<SegmentFilterRow[]> {
    if (ids.length === 0) return [];
    const rows: { id: string; filters: unknown[] }[] = await this.ds.query(
      'SELECT id, filters FROM preferences.segments WHERE id = ANY($1::bigint[])',
      [ids],
    );
    return rows.map((r) => ({ id: Number(r.id), filters: r.filters }));
  }

  /** Adds the contacts that exist among `contactIds` (a removed-by-hand member comes back); answers how many are members now. */
  async addMembers(segmentId: number, contactIds: string[], sql: Sql = this.ds): Promise<string[]> {
    const rows: { contactId: string }[] = await sql.query(
      `INSERT INTO preferences.segment_members (segment_id, contact_id)
       SELECT $1, c.id FROM preferences.contacts c WHERE c.id = ANY($2::text[]) ORDER BY c.id
       ON CONFLICT (segment_id, contact_id) DO UPDATE SET manually_removed = false
       RETURNING contact_id AS "contactId"`,
      [segmentId, contactIds],
    );
    return rows.map((r) => r.contactId);
  }

  /** Marks the contacts as removed by hand (so a dynamic segment's filters no longer take them in). */
  async removeMembers(segmentId: number, contactIds: string[], sql: Sql = this.ds): Promise<string[]> {
    const rows: { contactId: string }[] = await sql.query(
      `INSERT INTO preferences.segment_members (segment_id, contact_id, manually_removed)
       SELECT $1, c.id, true FROM preferences.contacts c WHERE c.id = ANY($2::text[]) ORDER BY c.id
       ON CONFLICT (segment_id, contact_id) DO UPDATE SET manually_removed = true
       RETURNING contact_id AS "contactId"`,
      [segmentId, contactIds],
    );
    return rows.map((r) => r.contactId);
  }
}
