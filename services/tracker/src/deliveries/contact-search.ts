import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Up to this many matching words (a contact's email, full name and name words can each match), a
 * page reads each contact's newest rows through the contact index and merges them: ~3.7 µs a
 * contact, however far back their sends are. Past it, walking the time index from the newest of
 * their sends costs less: for n of C contacts whose sends are spread like everyone's, a page passes
 * ~50·C/n index entries at ~0.14 µs, which equals the first at n ≈ 1.4·√C (626 of 200k contacts).
 */
export function searchPerContactMax(contacts: number): number {
  return Math.min(SEARCH_COUNTED_BELOW, Math.max(100, Math.round(1.4 * Math.sqrt(Math.max(0, contacts)))));
}
/**
 * Up to this many by the planner's estimate, the page walks the time index from the matching
 * contacts' newest send, testing each row against a hash of them, built once per page. More than
 * that (a broad prefix) and building the hash costs more than probing the words of each row walked,
 * which then soon finds a page. An estimate only picks between two exact plans, and costs no read
 * of the words.
 */
export const SEARCH_HASHED_MAX = 30_000;
/** Below this estimate the words are counted: the estimate of a narrow prefix can be far off (59 for 1,111). */
const SEARCH_COUNTED_BELOW = 5_000;

/** How a page finds the contacts of a search (`pattern` is the LIKE prefix, `exact` the contact id). */
export interface SearchMatch {
  plan: 'per-contact' | 'hashed' | 'probe';
  pattern: string;
  exact: string;
}

export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function likePattern(term: string): string {
  return `${escapeLike(term.trim().toLowerCase())}%`;
}

/**
 * The words (email, full name, name words) starting with the pattern. A pattern without whitespace
 * reads only the words without (a word with whitespace has its leading run as a word of its own),
 * half as many: the planner folds the pattern's test, keeping the condition of the partial index.
 */
function wordsLike(pattern: string): string {
  return `w.word LIKE ${pattern} AND (w.word !~ '\\s' OR ${pattern} ~ '\\s')`;
}

type Run = <Row>(sql: string, params: unknown[]) => Promise<Row[]>;

/** What EXPLAIN (FORMAT JSON) answers: the plan's estimate of the rows it returns. */
interface ExplainRow {
  'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }];
}

/** A search's matching words (counted up to a bound) and the contacts the table holds, estimated. */
interface WordCountRow {
  n: number;
  contacts: number;
}

/** The words table as the search reads it, for the count and the estimate of a search's words. */
function searchWordsQuery(term: string): { sql: string; params: unknown[] } {
  return { sql: `SELECT FROM tracker.contact_words w WHERE ${wordsLike('$1')}`, params: [likePattern(term)] };
}

/**
 * Picks the plan of a search by the planner's estimate of its words (no read of them); when that is
 * small, and so unreliable, by an exact count (cheap at that size) against searchPerContactMax of
 * the contacts the planner knows of (-1 before the table was first analysed).
 */
export async function matchSearch(term: string, run: Run): Promise<SearchMatch> {
  const match = (plan: SearchMatch['plan']): SearchMatch => ({ plan, pattern: likePattern(term), exact: term.trim() });
  const words = searchWordsQuery(term);
  const [explained] = await run<ExplainRow>(`EXPLAIN (FORMAT JSON) ${words.sql}`, words.params);
  const estimate = explained['QUERY PLAN'][0].Plan['Plan Rows'];
  if (estimate > SEARCH_HASHED_MAX) return match('probe');
  if (estimate > SEARCH_COUNTED_BELOW) return match('hashed');
  const [{ n, contacts }] = await run<WordCountRow>(
    `SELECT (SELECT count(*) FROM (${words.sql} LIMIT ${SEARCH_COUNTED_BELOW + 1}) w)::int AS n,
            (SELECT reltuples FROM pg_class WHERE oid = 'tracker.contacts'::regclass)::float8 AS contacts`,
    words.params,
  );
  return match(Number(n) <= searchPerContactMax(Number(contacts)) ? 'per-contact' : 'hashed');
}

/**
 * The matching contact ids as a subquery. The planner hashes it when its estimate fits in memory,
 * which it does whenever the hashed plan was picked (by that same estimate).
 */
export function matchingContacts(match: SearchMatch, param: (v: unknown) => string): string {
  return `SELECT w.contact_id FROM tracker.contact_words w WHERE ${wordsLike(param(match.pattern))}`;
}

/**
 * The time of the matching contacts' newest send, read from the same index range as the contacts
 * (each word carries its contact's, kept at ingest), and of the contact with the exact id.
 */
function newestMatchingSend(match: SearchMatch, param: (v: unknown) => string): string {
  return `greatest(
    (SELECT max(w.newest_send_at) FROM tracker.contact_words w WHERE ${wordsLike(param(match.pattern))}),
    (SELECT x.created_at FROM tracker.deliveries x WHERE x.contact_id = ${param(match.exact)} ORDER BY x.created_at DESC LIMIT 1))`;
}

/** The SQL condition on `d.contact_id` for a match (`param` binds a value and returns its placeholder). */
export function searchCondition(match: SearchMatch, param: (v: unknown) => string): string {
  const exact = `d.contact_id = ${param(match.exact)}`;
  // Under an OR the sublink stays a subplan: hashed once, tested per row, and the walk keeps its order.
  // The walk starts at the matching contacts' newest send, however much was sent to others since.
  if (match.plan !== 'probe') {
    return `d.created_at <= ${newestMatchingSend(match, param)} AND (${exact} OR d.contact_id IN (${matchingContacts(match, param)}))`;
  }
  // A correlated probe with LIMIT is not turned into a join: it runs per row of whichever index walk the filters pick.
  return `(${exact} OR (SELECT true FROM tracker.contact_words w
            WHERE w.contact_id = d.contact_id AND w.word LIKE ${param(match.pattern)} LIMIT 1))`;
}

@Injectable()
export class ContactSearch {
  constructor(private readonly ds: DataSource) {}

  match(term: string): Promise<SearchMatch> {
    return matchSearch(term, <Row>(sql: string, params: unknown[]) => this.ds.query<Row[]>(sql, params));
  }
}
