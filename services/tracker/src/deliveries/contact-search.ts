import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Up to this many matching contacts are handed to the page query as a list. */
export const SEARCH_LIST_MAX = 5_000;
/** Up to this many, each contact's newest rows are read through the contact index (the planner would walk time instead). */
export const SEARCH_PER_CONTACT_MAX = 500;

/**
 * Contacts matching a search: their ids, or `broad` when more match than a list should hold (then
 * they are dense enough that testing each row while walking the time index finds a page quickly).
 */
export type SearchMatch = { ids: string[] } | { broad: true; pattern: string; exact: string };

export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The statement that lists the contacts whose email, full name or a name word starts with the term. */
export function searchWordsQuery(term: string): { sql: string; params: unknown[] } {
  // A contact has a few words that can share a prefix: read enough rows to tell SEARCH_LIST_MAX contacts apart.
  return {
    sql: `SELECT contact_id FROM tracker.contact_words WHERE word LIKE $1 LIMIT ${(SEARCH_LIST_MAX + 1) * 4}`,
    params: [`${escapeLike(term.trim().toLowerCase())}%`],
  };
}

export function searchMatch(term: string, rows: { contact_id: string }[]): SearchMatch {
  const ids = new Set(rows.map((r) => r.contact_id));
  if (ids.size > SEARCH_LIST_MAX || rows.length === (SEARCH_LIST_MAX + 1) * 4) {
    return { broad: true, pattern: `${escapeLike(term.trim().toLowerCase())}%`, exact: term.trim() };
  }
  ids.add(term.trim()); // the contact whose id it is
  return { ids: [...ids] };
}

/** The SQL condition on `d.contact_id` for a match (`param` binds a value and returns its placeholder). */
export function searchCondition(match: SearchMatch, param: (v: unknown) => string): string {
  if ('ids' in match) return `d.contact_id = ANY(${param(match.ids)}::text[])`;
  // A correlated probe with LIMIT is not turned into a join: it runs per row of whichever index walk the filters pick.
  return `(d.contact_id = ${param(match.exact)} OR (SELECT true FROM tracker.contact_words w
            WHERE w.contact_id = d.contact_id AND w.word LIKE ${param(match.pattern)} LIMIT 1))`;
}

@Injectable()
export class ContactSearch {
  constructor(private readonly ds: DataSource) {}

  async match(term: string): Promise<SearchMatch> {
    const { sql, params } = searchWordsQuery(term);
    return searchMatch(term, await this.ds.query(sql, params));
  }
}
