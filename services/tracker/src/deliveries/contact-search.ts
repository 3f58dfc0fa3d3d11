import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Up to this many matching contacts are handed to the page query as a list of ids: knowing its
 * size, the planner reads them by contact or walks the time index testing a hash of them.
 */
export const SEARCH_LIST_MAX = 10_000;
/** Matching word rows read to tell SEARCH_LIST_MAX contacts apart (a contact's email, name and name words can share a prefix). */
const WORD_ROWS = (SEARCH_LIST_MAX + 1) * 3;
/** Up to this many, each contact's newest rows are read through the contact index (the planner would walk time instead). */
export const SEARCH_PER_CONTACT_MAX = 500;

/**
 * Contacts matching a search: their ids, or `broad` when more match than a list should hold (then
 * they are so many that testing each row against the words while walking the time index soon
 * finds a page).
 */
export type SearchMatch = { ids: string[] } | { broad: true; pattern: string; exact: string };

export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The statement that finds the contacts whose email, full name or a name word starts with the term:
 * their ids as one array when they are few enough to list, NULL when the search is broad (so a
 * broad search moves no ids at all).
 */
export function searchWordsQuery(term: string): { sql: string; params: unknown[] } {
  return {
    sql: `SELECT CASE WHEN count(*) < ${WORD_ROWS} AND count(DISTINCT contact_id) <= ${SEARCH_LIST_MAX}
                      THEN coalesce(array_agg(DISTINCT contact_id), '{}') END AS ids
          FROM (SELECT contact_id FROM tracker.contact_words WHERE word LIKE $1 LIMIT ${WORD_ROWS}) w`,
    params: [`${escapeLike(term.trim().toLowerCase())}%`],
  };
}

export function searchMatch(term: string, rows: { ids: string[] | null }[]): SearchMatch {
  const ids = rows[0]?.ids;
  if (!ids) return { broad: true, pattern: `${escapeLike(term.trim().toLowerCase())}%`, exact: term.trim() };
  return { ids: [...new Set([...ids, term.trim()])] }; // and the contact whose id it is
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
