import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Channel, WhereClause } from '@switchboard/contracts';
import {
  type Column,
  type Columns,
  execute,
  parseSearch,
  type PreparedStatement,
  queryPrepared,
  type Queryable,
  resolveColumn,
  returning,
  SqlParams,
  whereSql,
} from '@switchboard/persistence';
import type { ContactRecord, DecisionContact, DncRecord, RuleRecord } from './contact.record';

/** A contact's own columns, of `preferences.contacts c`: what both a contact and a decision's view of it read. */
const PROFILE_COLUMNS = `c.id, c.email, c.mobile, c.firstname, c.lastname, c.locale, c.timezone, c.country,
  c.twitter_handle AS "twitterHandle", c.web_push_subscriptions AS "webPushSubscriptions",
  c.mobile_devices AS "mobileDevices", c.fields, c.preferred_channel AS "preferredChannel"`;
/** A contact row with its rules and do-not-contact entries (json, null when none), of `c` with entriesJoins. */
const CONTACT_COLUMNS = `${PROFILE_COLUMNS}, c.date_added AS "dateAdded", c.date_modified AS "dateModified", r.rules, d.dnc`;
/** Advisory lock namespace (first key) of decision locks, apart from any other service's on a shared cluster. */
const DECISION_LOCK = 7401;
/** Advisory lock namespace of a new contact's email while the merge on it is decided. */
const EMAIL_LOCK = 7402;

/**
 * Ids as rows the planner takes for one; `ids` is a scalar subquery of a text[], so that the
 * planner cannot see the array: such an array it takes for 10 elements, and a LIMIT it cannot read
 * for a tenth of those. Joined to a table, one id makes it probe the index per id unless the table
 * is a page or two, which it reads once and hashes. Told the true count (500) it would read and
 * hash a table of up to ~100k entries per batch instead of probing, and an array filter (`= ANY`)
 * on an array it cannot see compares every row with every id.
 */
const idsAsRows = (ids: string) => `(SELECT id FROM unnest(${ids}) AS i(id) LIMIT (SELECT 2147483647))`;
/** The ids of $1 (a text[]), as rows (idsAsRows). */
const BATCH_IDS = idsAsRows('(SELECT $1::text[])');

/**
 * Joins `c`'s rules (`r.rules`) and do-not-contact entries (`d.dnc`, each entry of `dncFields`) to
 * it, read for `ids` (idsAsRows) only. Never a subquery per contact: such a subquery is costed for
 * one contact, and with a few hundred entries in a table PostgreSQL scanned all of it once per
 * contact (~21 µs a contact). decide-plan.test.ts keeps it so. `ids` must hold each id once.
 */
const entriesJoins = (ids: string, dncFields: string) =>
  `LEFT JOIN (SELECT r.contact_id, json_agg(json_build_object('channel', r.channel, 'frequencyNumber', r.frequency_number,
                       'frequencyTime', r.frequency_time, 'pauseFrom', r.pause_from, 'pauseTo', r.pause_to)) AS rules
                  FROM ${ids} x JOIN preferences.channel_rules r ON r.contact_id = x.id GROUP BY r.contact_id) r
       ON r.contact_id = c.id
     LEFT JOIN (SELECT d.contact_id, json_agg(json_build_object(${dncFields}) ORDER BY d.date_added, d.reason) AS dnc
                  FROM ${ids} x JOIN preferences.dnc_entries d ON d.contact_id = x.id GROUP BY d.contact_id) d
       ON d.contact_id = c.id`;

/** What CONTACT_COLUMNS reads of each do-not-contact entry. */
const CONTACT_DNC_FIELDS = `'channel', d.channel, 'reason', d.reason, 'comments', d.comments, 'source', d.source, 'dateAdded', d.date_added`;

/**
 * The statement of `lockForDecision` ($1: the batch's contact ids). What it reads of a contact
 * (DecisionContact): no timestamps (postgres-date parsed each into a Date no decision looks at: 6-7.5
 * µs a contact of Node instead of 11-13), and of each do-not-contact entry its channel and reason.
 */
export const DECISION_CONTACTS: PreparedStatement = {
  name: 'preferences.decision_contacts',
  text: `WITH locks AS MATERIALIZED (
     SELECT pg_advisory_xact_lock(${DECISION_LOCK}, k) FROM (SELECT DISTINCT hashtext(id) AS k FROM unnest($1::text[]) AS x(id) ORDER BY 1) h
   )
   SELECT ${PROFILE_COLUMNS}, r.rules, d.dnc
     FROM preferences.contacts c
     ${entriesJoins(BATCH_IDS, `'channel', d.channel, 'reason', d.reason`)}
    WHERE c.id = ANY($1::text[]) AND (SELECT count(*) FROM locks) >= 0`,
};

export interface ContactFieldRow {
  alias: string;
  type: 'text' | 'number' | 'boolean';
}

type JsonDate = string | null;
type RuleRow = Omit<RuleRecord, 'pauseFrom' | 'pauseTo'> & { channel: Channel; pauseFrom: JsonDate; pauseTo: JsonDate };
type ContactRow = Omit<ContactRecord, 'rules' | 'dnc'> & {
  rules: RuleRow[] | null;
  dnc: (Omit<DncRecord, 'dateAdded'> & { dateAdded: string })[] | null;
};
type DecisionContactRow = Omit<DecisionContact, 'rules' | 'dnc'> & {
  rules: RuleRow[] | null;
  dnc: DecisionContact['dnc'] | null;
};

const toDate = (value: JsonDate) => (value === null ? null : new Date(value));

/** Row → record, in place (it runs for every contact of every decision batch). */
interface IdRow {
  id: string;
}
interface EmailIdRow {
  email: string;
  id: string;
}
interface ErasedAtRow {
  erasedAt: Date;
}
interface TotalRow {
  total: number;
}
interface PushTargetsRow {
  before: number;
  after: number;
}

function toRecord(row: ContactRow): ContactRecord {
  const { rules, dnc } = row;
  const record = row as unknown as ContactRecord;
  record.rules = rulesOf(rules);
  record.dnc = [];
  for (const d of dnc ?? [])
    record.dnc.push({
      channel: d.channel,
      reason: d.reason,
      comments: d.comments,
      source: d.source,
      dateAdded: new Date(d.dateAdded),
    });
  return record;
}

/** Row → decision's view of the contact, in place (it runs for every contact of every decision batch). */
function toDecisionContact(row: DecisionContactRow): DecisionContact {
  const contact = row as unknown as DecisionContact;
  contact.rules = rulesOf(row.rules);
  contact.dnc = row.dnc ?? [];
  return contact;
}

function rulesOf(rows: RuleRow[] | null): ContactRecord['rules'] {
  const rules: ContactRecord['rules'] = {};
  for (const r of rows ?? []) {
    rules[r.channel] = {
      frequencyNumber: r.frequencyNumber,
      frequencyTime: r.frequencyTime,
      pauseFrom: toDate(r.pauseFrom),
      pauseTo: toDate(r.pauseTo),
    };
  }
  return rules;
}

export interface ListQuery {
  search?: string;
  start: number;
  limit: number;
  orderBy: 'id' | 'email' | 'firstname' | 'lastname' | 'dateAdded' | 'dateModified';
  orderByDir: 'asc' | 'desc';
  where?: WhereClause[];
}

/**
 * What `where[][col]` may name of a contact, as the API spells the fields; Mautic's column names
 * resolve too (`date_added`, `l.email`, `preferred_locale`, `twitter`).
 */
const WHERE_COLUMNS: Columns = {
  id: { sql: 'c.id', type: 'text' },
  email: { sql: 'c.email', type: 'text' },
  firstname: { sql: 'c.firstname', type: 'text' },
  lastname: { sql: 'c.lastname', type: 'text' },
  mobile: { sql: 'c.mobile', type: 'text' },
  country: { sql: 'c.country', type: 'text' },
  locale: { sql: 'c.locale', type: 'text' },
  preferredLocale: { sql: 'c.locale', type: 'text' },
  timezone: { sql: 'c.timezone', type: 'text' },
  preferredChannel: { sql: 'c.preferred_channel', type: 'text' },
  twitterHandle: { sql: 'c.twitter_handle', type: 'text' },
  twitter: { sql: 'c.twitter_handle', type: 'text' },
  dateAdded: { sql: 'c.date_added', type: 'date' },
  dateModified: { sql: 'c.date_modified', type: 'date' },
};

/** Every `col` the clauses name, through andX / orX. */
function namedColumns(where: unknown[], depth = 0): string[] {
  if (depth > 5) return [];
  return where.flatMap((clause) => {
    if (!clause || typeof clause !== 'object') return [];
    const { col, expr, val } = clause as WhereClause;
    if ((expr === 'andX' || expr === 'orX') && val && typeof val === 'object')
      return namedColumns(Object.values(val), depth + 1);
    return typeof col === 'string' ? [col.trim().replace(/^[a-z]{1,3}\./i, '')] : [];
  });
}

/**
 * A custom field (a key of `c.fields`) as a column of its registered type; the key is a bound
 * parameter, so the column is made only for a clause that uses it (PostgreSQL refuses a statement
 * with a parameter it cannot type). A value that is not of the field's type reads as NULL, by the
 * same functions segment filters read custom fields with.
 */
function customFieldColumn(field: ContactFieldRow, params: SqlParams): Column {
  const value = `(c.fields->>${params.add(field.alias, 'text')})`;
  switch (field.type) {
    case 'number':
      return { sql: `preferences.sb_numeric(${value})`, type: 'int' };
    case 'boolean':
      return { sql: `preferences.sb_boolean(${value})`, type: 'bool' };
    case 'text':
      return { sql: value, type: 'text' };
  }
}

const ORDER_COLUMNS: Record<ListQuery['orderBy'], string> = {
  id: 'id',
  email: 'email',
  firstname: 'firstname',
  lastname: 'lastname',
  dateAdded: 'date_added',
  dateModified: 'date_modified',
};

/** A contact's erasure, stored to be published (the outbox). */
export interface ErasureRow {
  contactId: string;
  erasedAt: Date;
}

@Injectable()
export class ContactsRepository {
  constructor(private readonly ds: DataSource) {}

  transaction<T>(work: (sql: Queryable) => Promise<T>): Promise<T> {
    return this.ds.transaction((em) => work(em));
  }

  async findOne(id: string, sql: Queryable = this.ds): Promise<ContactRecord | undefined> {
    return (await this.findMany([id], sql)).get(id);
  }

  /**
   * Contacts with their rules and do-not-contact entries, in one statement; `lock` takes their row
   * locks in id order (so that batches sharing contacts queue instead of deadlocking).
   */
  async findMany(
    ids: string[],
    sql: Queryable = this.ds,
    options: { lock?: boolean } = {},
  ): Promise<Map<string, ContactRecord>> {
    const rows = await sql.query<ContactRow[]>(
      `SELECT ${CONTACT_COLUMNS} FROM preferences.contacts c ${entriesJoins(BATCH_IDS, CONTACT_DNC_FIELDS)}
        WHERE c.id = ANY($1::text[]) ORDER BY c.id${options.lock ? ' FOR NO KEY UPDATE OF c' : ''}`,
      [[...new Set(ids)]],
    );
    return new Map(rows.map((row) => [row.id, toRecord(row)]));
  }

  /**
   * Takes the decision locks of `ids` and loads the existing contacts among them, in one statement.
   * The locks are transaction-scoped advisory locks on the ids' hashes, taken in hash order, so
   * batches sharing contacts queue instead of deadlocking (two ids sharing a hash only queue too).
   * Row locks would dirty a page per contact — of the contacts table (WAL and full page images) or
   * of a lock table (written back whenever the audience outgrows shared_buffers); an advisory lock
   * touches no page. Each costs a slot of PostgreSQL's lock table (max_locks_per_transaction ×
   * max_connections, 6,400 by default) until commit: `DecisionsService` bounds how many decision
   * transactions run at once. The contact data comes from the statement's snapshot, taken before
   * the locks; what must be read after them is read by the caller's next statement.
   */
  async lockForDecision(ids: string[], sql: Queryable): Promise<Map<string, DecisionContact>> {
    const rows = await queryPrepared<DecisionContactRow>(sql, DECISION_CONTACTS, [ids]);
    return new Map(rows.map((row) => [row.id, toDecisionContact(row)]));
  }

  /** Inserts empty rows for ids that do not exist yet, in id order; answers the ids created. */
  async insertMissing(ids: string[], sql: Queryable): Promise<Set<string>> {
    const rows = await sql.query<IdRow[]>(
      `INSERT INTO preferences.contacts (id) SELECT id FROM unnest($1::text[]) AS x(id) ORDER BY id
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Writes the contacts' rows and replaces their rules: three statements for the whole batch. */
  async saveMany(records: ContactRecord[], sql: Queryable): Promise<void> {
    if (records.length === 0) return;
    await execute(
      sql,
      `UPDATE preferences.contacts c
          SET email = x.email, mobile = x.mobile, firstname = x.firstname, lastname = x.lastname, locale = x.locale,
              timezone = x.timezone, twitter_handle = x."twitterHandle", web_push_subscriptions = x."webPushSubscriptions",
              mobile_devices = x."mobileDevices", fields = x.fields, preferred_channel = x."preferredChannel",
              date_modified = x."dateModified", country = x.country
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, email text, mobile text, firstname text, lastname text, locale text,
              timezone text, country text, "twitterHandle" text, "webPushSubscriptions" jsonb, "mobileDevices" jsonb, fields jsonb,
              "preferredChannel" text, "dateModified" timestamptz)
        WHERE c.id = x.id`,
      [JSON.stringify(records.map(({ rules: _rules, dnc: _dnc, ...row }) => row))],
    );
    const ids = records.map((r) => r.id);
    await execute(sql, 'DELETE FROM preferences.channel_rules WHERE contact_id = ANY($1::text[])', [ids]);
    const rules = records.flatMap((r) =>
      Object.entries(r.rules).map(([channel, rule]) => ({ contactId: r.id, channel, ...rule })),
    );
    if (rules.length === 0) return;
    await execute(
      sql,
      `INSERT INTO preferences.channel_rules (contact_id, channel, frequency_number, frequency_time, pause_from, pause_to)
       SELECT x."contactId", x.channel, x."frequencyNumber", x."frequencyTime", x."pauseFrom", x."pauseTo"
         FROM jsonb_to_recordset($1::jsonb) AS x("contactId" text, channel text, "frequencyNumber" int, "frequencyTime" text,
              "pauseFrom" timestamptz, "pauseTo" timestamptz)`,
      [JSON.stringify(rules)],
    );
  }

  /**
   * The contact each email belongs to (case-insensitive; the oldest when several share it), after
   * taking a transaction lock per email, so two creates of one new email merge instead of racing.
   */
  async lockAndFindByEmail(emails: string[], sql: Queryable): Promise<Map<string, string>> {
    const rows = await sql.query<EmailIdRow[]>(
      `WITH locks AS MATERIALIZED (
         SELECT pg_advisory_xact_lock(${EMAIL_LOCK}, k) FROM (SELECT DISTINCT hashtext(e) AS k FROM unnest($1::text[]) AS x(e) ORDER BY 1) h
       )
       SELECT DISTINCT ON (lower(c.email)) lower(c.email) AS email, c.id FROM preferences.contacts c
        WHERE lower(c.email) = ANY($1::text[]) AND c.email IS NOT NULL AND (SELECT count(*) FROM locks) >= 0
        ORDER BY lower(c.email), c.date_added, c.id`,
      [emails],
    );
    return new Map(rows.map((r) => [r.email, r.id]));
  }

  /** `count` new numeric ids that no contact has (a client may have chosen a number as its own id). */
  async newNumericIds(count: number, sql: Queryable): Promise<string[]> {
    const ids: string[] = [];
    while (ids.length < count) {
      const rows = await sql.query<IdRow[]>(
        `SELECT s.id FROM (SELECT nextval('preferences.contact_number_seq')::text AS id FROM generate_series(1, $1)) s
          WHERE NOT EXISTS (SELECT 1 FROM preferences.contacts c WHERE c.id = s.id)`,
        [count - ids.length],
      );
      ids.push(...rows.map((r) => r.id));
    }
    return ids;
  }

  /** Records custom field aliases not seen before, with the type of their first value. */
  async registerFields(fields: { alias: string; type: string }[], sql: Queryable): Promise<void> {
    if (fields.length === 0) return;
    await execute(
      sql,
      `INSERT INTO preferences.contact_fields (alias, type)
       SELECT x.alias, x.type FROM jsonb_to_recordset($1::jsonb) AS x(alias text, type text)
        WHERE NOT EXISTS (SELECT 1 FROM preferences.contact_fields f WHERE f.alias = x.alias)
       ON CONFLICT (alias) DO NOTHING`,
      [JSON.stringify(fields)],
    );
  }

  customFields(): Promise<ContactFieldRow[]> {
    return this.ds.query<ContactFieldRow[]>('SELECT alias, type FROM preferences.contact_fields ORDER BY id');
  }

  async deleteMany(ids: string[], sql: Queryable): Promise<void> {
    await execute(sql, 'DELETE FROM preferences.contacts WHERE id = ANY($1::text[])', [ids]);
  }

  /** Deletes everything held about the contact (its decisions carry its reservations) and records the erasure (the outbox of sb.contact.erased.v1). */
  async erase(id: string, sql: Queryable): Promise<Date> {
    await execute(sql, 'DELETE FROM preferences.decisions WHERE contact_id = $1', [id]);
    await execute(sql, 'DELETE FROM preferences.contacts WHERE id = $1', [id]);
    const [{ erasedAt }] = await sql.query<ErasedAtRow[]>(
      'INSERT INTO preferences.erasures (contact_id, erased_at) VALUES ($1, date_trunc(\'milliseconds\', now())) RETURNING erased_at AS "erasedAt"',
      [id],
    );
    return erasedAt;
  }

  // erased_at is kept to milliseconds (a JS Date), so the outbox finds its row again by it.
  unpublishedErasures(limit: number): Promise<ErasureRow[]> {
    return this.ds.query<ErasureRow[]>(
      `SELECT contact_id AS "contactId", erased_at AS "erasedAt" FROM preferences.erasures
        WHERE published_at IS NULL ORDER BY erased_at LIMIT $1`,
      [limit],
    );
  }

  async markErasurePublished(contactId: string, erasedAt: Date): Promise<void> {
    await execute(
      this.ds,
      'UPDATE preferences.erasures SET published_at = now() WHERE contact_id = $1 AND erased_at = $2',
      [contactId, erasedAt],
    );
  }

  /**
   * `member`, when given, is a predicate over `c` (a segment's membership) that replaces the search;
   * `where` is ANDed to either.
   */
  async list(
    query: ListQuery,
    member?: (params: SqlParams) => string,
  ): Promise<{ total: number; records: ContactRecord[] }> {
    const params = new SqlParams();
    const conditions = [member ? member(params) : this.searchCondition(query.search, params)];
    if (query.where?.length)
      conditions.push(...whereSql(await this.whereColumns(query.where, params), query.where, params));
    const present = conditions.filter((c): c is string => c !== undefined);
    const where = present.length ? `WHERE ${present.join(' AND ')}` : '';
    const [{ total }] = await this.ds.query<TotalRow[]>(
      `SELECT count(*)::int AS total FROM preferences.contacts c ${where}`,
      params.values,
    );
    const order = `c.${ORDER_COLUMNS[query.orderBy]} ${query.orderByDir === 'desc' ? 'DESC' : 'ASC'} NULLS LAST, c.id`;
    const page = new SqlParams([...params.values]);
    const offset = page.add(query.start);
    const limit = query.limit > 0 ? `LIMIT ${page.add(query.limit)}` : '';
    // The page's contacts first, then the entries of their ids (see entriesJoins).
    const rows = await this.ds.query<ContactRow[]>(
      `WITH page AS MATERIALIZED (SELECT c.* FROM preferences.contacts c ${where} ORDER BY ${order} OFFSET ${offset} ${limit})
       SELECT ${CONTACT_COLUMNS} FROM page c ${entriesJoins(idsAsRows('(SELECT array_agg(id) FROM page)'), CONTACT_DNC_FIELDS)}
        ORDER BY ${order}`,
      page.values,
    );
    return { total, records: rows.map(toRecord) };
  }

  /** The contact's columns, and the custom fields the clauses name (unknown names stay unknown: a 400). */
  private async whereColumns(where: WhereClause[], params: SqlParams): Promise<Columns> {
    const custom = namedColumns(where).filter((name) => !resolveColumn(WHERE_COLUMNS, name));
    if (custom.length === 0) return WHERE_COLUMNS;
    const fields = await this.ds.query<ContactFieldRow[]>(
      'SELECT alias, type FROM preferences.contact_fields WHERE alias = ANY($1::text[])',
      [[...new Set(custom)]],
    );
    const columns: Columns = { ...WHERE_COLUMNS };
    for (const field of fields) columns[field.alias] = customFieldColumn(field, params);
    return columns;
  }

  private searchCondition(search: string | undefined, params: SqlParams): string | undefined {
    const term = parseSearch(search);
    if (!term) return undefined;
    if ('ids' in term) return `c.id = ANY(${params.add(term.ids, 'text[]')})`;
    const p = params.add(term.like);
    const match = `(c.id ILIKE ${p} OR c.email ILIKE ${p} OR c.firstname ILIKE ${p} OR c.lastname ILIKE ${p} OR c.mobile ILIKE ${p}
      OR (coalesce(c.firstname, '') || ' ' || coalesce(c.lastname, '')) ILIKE ${p})`;
    return term.negate ? `NOT coalesce(${match}, false)` : match;
  }

  /** Drops one web-push subscription; answers how many there were and are. */
  async removeWebPush(contactId: string, endpoint: string): Promise<{ before: number; after: number } | undefined> {
    return this.removePushTarget(contactId, 'web_push_subscriptions', 'endpoint', endpoint);
  }

  /** Drops one mobile device; answers how many there were and are. */
  async removeMobileDevice(contactId: string, token: string): Promise<{ before: number; after: number } | undefined> {
    return this.removePushTarget(contactId, 'mobile_devices', 'token', token);
  }

  /** Removes the elements of a JSON array column whose `key` equals `value`, under the contact's row lock. */
  private async removePushTarget(
    contactId: string,
    column: 'web_push_subscriptions' | 'mobile_devices',
    key: 'endpoint' | 'token',
    value: string,
  ): Promise<{ before: number; after: number } | undefined> {
    const rows = await returning<PushTargetsRow>(
      this.ds,
      `WITH old AS (SELECT id, ${column} AS items FROM preferences.contacts WHERE id = $1 FOR NO KEY UPDATE)
       UPDATE preferences.contacts c
          SET ${column} = (SELECT coalesce(jsonb_agg(s), '[]'::jsonb) FROM jsonb_array_elements(old.items) s WHERE s->>'${key}' <> $2),
              date_modified = CASE WHEN old.items @> jsonb_build_array(jsonb_build_object('${key}', $2::text)) THEN now() ELSE c.date_modified END
         FROM old WHERE c.id = old.id
       RETURNING jsonb_array_length(old.items) AS before, jsonb_array_length(c.${column}) AS after`,
      [contactId, value],
    );
    return rows[0];
  }
}
