import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { anyMemberPredicate, type SegmentDefinition } from '../segments/membership';
import { SqlParams } from '../segments/sql-params';

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
@Injectable()
export class AudienceRepository {
  constructor(private readonly ds: DataSource) {}

  /** Up to `limit` member ids after `after`, in id order (keyset: each page is an index range). */
  async page(audience: ResolvedAudience, after: string | null, limit: number): Promise<string[]> {
    const params = new SqlParams();
    const where = [this.where(audience, params)];
    if (after !== null) where.push(`c.id > ${params.add(after, 'text')}`);
    const rows: IdRow[] = await this.ds.query(
      `SELECT c.id FROM preferences.contacts c WHERE ${where.join(' AND ')} ORDER BY c.id LIMIT ${params.add(limit, 'int')}`,
      params.values,
    );
    return rows.map((r) => r.id);
  }

  async count(audience: ResolvedAudience): Promise<number> {
    const params = new SqlParams();
    const [{ count }]: CountRow[] = await this.ds.query(
      `SELECT count(*)::int AS count FROM preferences.contacts c WHERE ${this.where(audience, params)}`,
      params.values,
    );
    return count;
  }

  private where(audience: ResolvedAudience, params: SqlParams): string {
    const include = audience.all ? 'true' : anyMemberPredicate(audience.include, params);
    if (audience.exclude.length === 0) return include;
    return `${include} AND NOT ${anyMemberPredicate(audience.exclude, params)}`;
  }
}
