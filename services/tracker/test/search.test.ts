import { DeliveriesQuerySchema, trackerDeliveriesList, type DeliveryRow } from '@switchboard/contracts';
import { ContactsRepository } from '../src/contacts/contacts.repository';
import { ContactSearch, SEARCH_HASHED_MAX, searchPerContactMax } from '../src/deliveries/contact-search';
import { pageQuery } from '../src/deliveries/deliveries.repository';
import { Script, startTracker, type Harness } from './support/tracker-harness';

/**
 * The three plans of a search page (per contact, a hashed set, a probe per row) return exactly the
 * rows a plain query returns, in order, across keyset pages. Each contact has two words starting
 * with its surname (its email and the surname), so the groups fall into the three plans: lee under
 * searchPerContactMax of the 31,803 contacts here (250), brown and smith over it, jones by the
 * planner's estimate, which twice the bound keeps clear of it.
 */
describe('tracker: deliveries search by contact', () => {
  let h: Harness;
  const groups = { lee: 3, brown: 300, smith: 1_500, jones: SEARCH_HASHED_MAX };

  beforeAll(async () => {
    h = await startTracker();
    let offset = 0;
    for (const [surname, count] of Object.entries(groups)) {
      await h.db().query(
        `INSERT INTO tracker.contacts (contact_id, email, name)
         SELECT $1 || g, $1 || g || '@example.com', 'Pat ' || initcap($1) FROM generate_series(1, $2::int) g`,
        [surname, count],
      );
      // Two sends per contact, interleaved in time with the other groups.
      await h.db().query(
        `INSERT INTO tracker.deliveries (send_id, message_id, contact_id, channel, status, created_at, updated_at)
         SELECT 's-' || $1 || g || '-' || k, 1 + g % 3, $1 || g, 'email', CASE WHEN k = 1 THEN 'sent' ELSE 'opened' END,
                timestamptz '2026-11-01' + ((g * 2 + k) * 3 + $3::int) * interval '1 second',
                timestamptz '2026-11-01'
         FROM generate_series(1, $2::int) g, generate_series(1, 2) k`,
        [surname, count, offset++],
      );
    }
    // A contact known by its id only, found by that exact id (a search term), oldest of all.
    await h.db().query(
      `INSERT INTO tracker.deliveries (send_id, message_id, contact_id, channel, status, created_at, updated_at)
       SELECT 's-' || id, 2, id, 'email', 'opened', timestamptz '2026-10-01', timestamptz '2026-10-01'
       FROM unnest($1::text[]) id`,
      [['LEE', 'smith', 'Jones']],
    );
    // The words as the tracker keeps them (ContactsRepository.upsertLabels, IngestRepository.raiseNewestSends).
    await h.db().query(
      `INSERT INTO tracker.contact_words (word, contact_id, newest_send_at)
       SELECT DISTINCT w, c.contact_id, (SELECT max(d.created_at) FROM tracker.deliveries d WHERE d.contact_id = c.contact_id)
       FROM tracker.contacts c,
            unnest(ARRAY[lower(c.email), lower(c.name)] || regexp_split_to_array(lower(c.name), '\\s+')) w`,
    );
    await h.db().query('ANALYZE tracker.deliveries; ANALYZE tracker.contact_words; ANALYZE tracker.contacts');
  });

  afterAll(async () => {
    await h?.close();
  });

  /** Follows the cursor to the end, or for `maxPages`. */
  async function pages(query: Record<string, unknown>, limit: number, maxPages = Infinity): Promise<DeliveryRow[]> {
    const rows: DeliveryRow[] = [];
    let after: string | undefined;
    let n = 0;
    do {
      const page = await h.rpc.call(trackerDeliveriesList, { ...query, limit, after });
      rows.push(...page.deliveries);
      after = page.next ?? undefined;
    } while (after && ++n < maxPages);
    return rows;
  }

  /** The sends of contacts whose id is the term or (as each contact's words here) starts with it in lower case. */
  async function expected(term: string, where = 'true'): Promise<string[]> {
    const rows: { send_id: string }[] = await h.db().query(
      `SELECT send_id FROM tracker.deliveries d WHERE (d.contact_id LIKE $1 OR d.contact_id = $2) AND ${where}
         ORDER BY created_at DESC, id DESC`,
      [`${term.toLowerCase()}%`, term],
    );
    return rows.map((r) => r.send_id);
  }

  it.each([
    ['LEE', 'per-contact'],
    ['brown', 'hashed'],
    ['smith', 'hashed'],
    ['jones', 'probe'],
  ])('plans a search for %s %s', async (term, plan) => {
    expect((await h.svc.app.get(ContactSearch).match(term)).plan).toBe(plan);
  });

  it('reads contacts one by one up to ~1.4·√contacts words', () => {
    expect([-1, 31_803, 200_000, 1_000_000, 1e9].map(searchPerContactMax)).toEqual([100, 250, 626, 1_400, 5_000]);
  });

  it.each([
    ['a few contacts', 'LEE', 10],
    ['a hashed set of contacts', 'smith', 200],
    ['a smaller hashed set of contacts', 'brown', 100],
    ['too many contacts to hash', 'Jones', 500],
  ])('finds %s by name, page after page', async (_case, term, limit) => {
    const got = await pages({ search: term }, limit, 8);
    const all = await expected(term);
    expect(got.map((r) => r.sendId)).toEqual(all.slice(0, got.length));
    expect(got.length).toBe(Math.min(all.length, limit * 8));
    expect(got[0].contact).toEqual({
      id: expect.any(String),
      email: expect.stringContaining('@example.com'),
      name: `Pat ${term[0].toUpperCase()}${term.slice(1).toLowerCase()}`,
    });
  });

  it.each([['LEE'], ['smith'], ['Jones']])('combines a search for %s with other filters', async (term) => {
    const got = await pages({ search: term, status: 'opened', messageId: 2 }, 100);
    expect(got.map((r) => r.sendId)).toEqual(await expected(term, `d.status = 'opened' AND d.message_id = 2`));
  });

  it('matches the beginning of an email, a full name, or a contact id', async () => {
    expect((await pages({ search: 'smith12@' }, 50)).map((r) => r.sendId)).toEqual(['s-smith12-2', 's-smith12-1']);
    expect((await pages({ search: 'pat lee' }, 50)).length).toBe(6);
    expect((await pages({ search: 'jones7' }, 50)).map((r) => r.contact.id)).toContain('jones7');
    expect(await pages({ search: 'mith' }, 50)).toEqual([]);
  });

  it('matches an email with a space by its beginning, as before words without whitespace were read alone', async () => {
    await h.svc.app
      .get(ContactsRepository)
      .upsertLabels([{ contactId: 'spaced1', email: 'Ann Marie@example.com', name: 'Zed' }]);
    await h.db().query(
      `INSERT INTO tracker.deliveries (send_id, message_id, contact_id, channel, status, created_at, updated_at)
       VALUES ('s-spaced1', 1, 'spaced1', 'email', 'sent', now(), now())`,
    );
    for (const term of ['ann', 'Ann Marie@', 'ann marie@example.com', 'zed']) {
      expect((await pages({ search: term }, 50)).map((r) => r.sendId)).toEqual(['s-spaced1']);
    }
    expect(await pages({ search: 'marie' }, 50)).toEqual([]);
  });

  it("walks the time index from the matching contacts' newest send, past everything sent to others since", async () => {
    // Jones' sends go on for hours after smith's last one; a walk from the newest row would pass ~57k of them.
    const query = DeliveriesQuerySchema.parse({ search: 'smith', limit: 50 });
    const { sql, params } = pageQuery(query, await h.svc.app.get(ContactSearch).match('smith'));
    const [row] = await h.db().query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
    const walk = planNodes(row['QUERY PLAN'][0].Plan).find((n) => n['Index Name'] === 'deliveries_created_contact_idx');
    expect(walk?.['Rows Removed by Filter']).toBeLessThan(200);
  });

  it('finds a send recorded after the words were kept, also once the contact has new words', async () => {
    const script = new Script(h.env.names); // in time after every send above
    const send = { sendId: 's-smith7-late', contactId: 'smith7', messageId: 1 };
    await h.publisher.publishAll([script.routed(send, 'email', 'd-smith7-late', 0)]);
    await h.idle();
    expect((await pages({ search: 'smith' }, 5, 1)).map((r) => r.sendId)[0]).toBe('s-smith7-late');

    await h.svc.app
      .get(ContactsRepository)
      .upsertLabels([{ contactId: 'smith7', email: 'smith7@elsewhere.example', name: 'Pat Smith' }]);
    const page = await pages({ search: 'smith' }, 5, 1);
    expect(page.map((r) => r.sendId)[0]).toBe('s-smith7-late');
    expect(page[0].contact.email).toBe('smith7@elsewhere.example');
  });
});

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}
