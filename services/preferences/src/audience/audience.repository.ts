import { SqlParams } from '@switchboard/persistence';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { anyMemberPredicate, memberPredicate, type SegmentDefinition } from '../segments/membership';

/** An audience with its segments resolved (segments that no longer exist are simply absent). */
export interface ResolvedAudience {
  all: boolean;
  include: SegmentDefinition[];
  exclude: SegmentDefinition[];
}

type IdRow = { id: string };
type CountRow = { count: number };

/**
 * Reads audiences straight from the contacts table, so an erased contact (its row deleted) is never
 * in one and a contact in two included segments is one row.
 */
interface IdsRow {
  ids: string[];
}

@Injectable()
export class AudienceRepository {
  constructor(private readonly ds: DataSource) {}

  /** Up to `limit` member ids after `after`, in id order (keyset: each page is an index range). */
  async page(audience: ResolvedAudience, after: string | null, limit: number): Promise<string[]> {
    const params = new SqlParams();
    const bound = after === null ? undefined : params.add(after, 'text');
    const where = [this.where(audience, params, bound)];
    if (bound) where.push(`c.id > ${bound}`);
    const rows = await this.ds.query<IdRow[]>(
      `SELECT c.id FROM preferences.contacts c WHERE ${where.join(' AND ')} ORDER BY c.id LIMIT ${params.add(limit, 'int')}`,
      params.values,
    );
    return rows.map((r) => r.id);
  }

  async count(audience: ResolvedAudience): Promise<number> {
    const params = new SqlParams();
    const [{ count }] = await this.ds.query<CountRow[]>(
      `SELECT count(*)::int AS count FROM preferences.contacts c WHERE ${this.where(audience, params)}`,
      params.values,
    );
    return count;
  }

  /** Members `start`..`start+limit` in id order (the REST listing of a segment, offset paged). */
  async slice(audience: ResolvedAudience, start: number, limit: number): Promise<string[]> {
    const params = new SqlParams();
    const rows = await this.ds.query<IdRow[]>(
      `SELECT c.id FROM preferences.contacts c WHERE ${this.where(audience, params)} ORDER BY c.id
        OFFSET ${params.add(start, 'int')} LIMIT ${params.add(limit, 'int')}`,
      params.values,
    );
    return rows.map((r) => r.id);
  }

  /** Which of `segments` the contact is in, judged on its row in one statement. */
  async segmentsOf(contactId: string, segments: SegmentDefinition[]): Promise<number[]> {
    if (segments.length === 0) return [];
    const params = new SqlParams();
    const id = params.add(contactId, 'text');
    const cases = segments.map((s) => `CASE WHEN ${memberPredicate(s, params)} THEN ${params.add(s.id, 'bigint')} END`);
    const rows = await this.ds.query<IdsRow[]>(
      `SELECT array_remove(ARRAY[${cases.join(', ')}], NULL) AS ids FROM preferences.contacts c WHERE c.id = ${id}`,
      params.values,
    );
    return (rows[0]?.ids ?? []).map(Number);
  }

  /** `after`: the page's bound on `c.id` (a parameter), which static segments also apply to their members. */
  private where(audience: ResolvedAudience, params: SqlParams, after?: string): string {
    const include = audience.all ? 'true' : anyMemberPredicate(audience.include, params, after);
    if (audience.exclude.length === 0) return include;
    return `${include} AND NOT ${anyMemberPredicate(audience.exclude, params, after)}`;
  }
}
