import type { SqlParams } from '@switchboard/persistence';

/** What membership of a segment needs: its id and its filters (empty for a static segment). */
export interface SegmentDefinition {
  id: number;
  /** The filters compiled to a predicate over `c` (a `preferences.contacts` row), or null when none. */
  predicate: ((params: SqlParams) => string) | null;
  /**
   * Whether the segment has members added / removed by hand. A purely dynamic segment is then its
   * filters alone: no index probe per contact, and the scan may run in parallel (a correlated
   * subquery would forbid it).
   */
  hasAdded?: boolean;
  hasRemoved?: boolean;
}

const memberRow = (params: SqlParams, segmentId: number, removed: boolean) =>
  `EXISTS (SELECT 1 FROM preferences.segment_members m WHERE m.segment_id = ${params.add(segmentId, 'bigint')}
     AND m.contact_id = c.id AND ${removed ? '' : 'NOT '}m.manually_removed)`;

/**
 * Contact `c` is in the segment: added by hand, or matching its filters and not removed by hand.
 * Each part is an index probe (segment_members' primary key) or an expression over the row.
 */
export function memberPredicate(segment: SegmentDefinition, params: SqlParams): string {
  if (!segment.predicate) return memberRow(params, segment.id, false);
  const filters = `(${segment.predicate(params)})`;
  const dynamic =
    segment.hasRemoved === false ? filters : `(${filters} AND NOT ${memberRow(params, segment.id, true)})`;
  return segment.hasAdded === false ? dynamic : `(${memberRow(params, segment.id, false)} OR ${dynamic})`;
}

/**
 * Any of the segments; `false` for none. When all are static it is one semi-join on the member
 * table, which the planner can drive from the segments' members instead of walking every contact.
 * `after` (a bound parameter) is the caller's keyset bound on `c.id`: repeated inside, so that a
 * page reads the members from there on, not every member before it (a shipment to a million
 * contacts pages 200 times through the same list).
 */
export function anyMemberPredicate(segments: SegmentDefinition[], params: SqlParams, after?: string): string {
  if (segments.length === 0) return 'false';
  if (segments.every((s) => !s.predicate))
    return `c.id IN (SELECT m.contact_id FROM preferences.segment_members m
      WHERE m.segment_id = ANY(${params.add(
        segments.map((s) => s.id),
        'bigint[]',
      )}) AND NOT m.manually_removed${after ? ` AND m.contact_id > ${after}` : ''})`;
  return `(${segments.map((s) => memberPredicate(s, params)).join(' OR ')})`;
}
