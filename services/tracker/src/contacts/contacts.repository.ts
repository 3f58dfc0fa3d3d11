import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LOCK_CONTACT } from '../ingest/ingest.repository';
import type { ContactLabel } from './contact-label';
import { execute } from '@switchboard/persistence';

interface ContactNameRow {
  contact_id: string;
  email: string | null;
  name: string | null;
}

export function contactHash(contactId: string): string {
  return createHash('sha256').update(contactId, 'utf8').digest('hex');
}

@Injectable()
export class ContactsRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Upserts labels, keeping known parts a dispatch did not carry, and the search words of those
   * that changed (email, full name, each name word), each with the time of its contact's newest
   * send; erased contacts are skipped. The contacts are locked exclusively: an ingest moving that
   * time forward on the words being replaced would be lost with them.
   */
  async upsertLabels(labels: ContactLabel[]): Promise<void> {
    if (labels.length === 0) return;
    await this.ds.transaction(async (m) => {
      await execute(
        m,
        `SELECT count(*) FROM (
           SELECT pg_advisory_xact_lock(${LOCK_CONTACT}, k) FROM (SELECT DISTINCT hashtext(c) AS k FROM unnest($1::text[]) c ORDER BY 1) a
         ) x`,
        [labels.map((l) => l.contactId)],
      );
      const changed = await m.query<ContactNameRow[]>(
        `INSERT INTO tracker.contacts (contact_id, email, name, updated_at)
         SELECT x.contact_id, x.email, x.name, now()
         FROM jsonb_to_recordset($1::jsonb) AS x(contact_id text, email text, name text)
         WHERE NOT EXISTS (SELECT 1 FROM tracker.erased_contacts ec
                           WHERE ec.contact_hash = encode(sha256(convert_to(x.contact_id, 'UTF8')), 'hex'))
         ON CONFLICT (contact_id) DO UPDATE SET
           email = coalesce(EXCLUDED.email, tracker.contacts.email),
           name = coalesce(EXCLUDED.name, tracker.contacts.name),
           updated_at = now()
         WHERE (EXCLUDED.email IS NOT NULL AND EXCLUDED.email IS DISTINCT FROM tracker.contacts.email)
            OR (EXCLUDED.name IS NOT NULL AND EXCLUDED.name IS DISTINCT FROM tracker.contacts.name)
         RETURNING contact_id, email, name`,
        [JSON.stringify(labels.map((l) => ({ contact_id: l.contactId, email: l.email, name: l.name })))],
      );
      if (changed.length === 0) return;
      // Separate statements: a delete and an insert of the same key in one statement would lose the row.
      await execute(m, 'DELETE FROM tracker.contact_words WHERE contact_id = ANY($1::text[])', [
        changed.map((c) => c.contact_id),
      ]);
      // An email's leading run before any whitespace is a word too, as a name's first word is: a
      // search for a term without whitespace reads only the words without (see the HashedSearch migration).
      await execute(
        m,
        `INSERT INTO tracker.contact_words (word, contact_id, newest_send_at)
         SELECT DISTINCT left(w, 200), x.contact_id, newest.at
         FROM jsonb_to_recordset($1::jsonb) AS x(contact_id text, email text, name text)
              CROSS JOIN LATERAL (SELECT max(d.created_at) AS at FROM tracker.deliveries d WHERE d.contact_id = x.contact_id) newest,
              unnest(ARRAY[lower(x.email), lower(x.name), substring(lower(x.email) from '^\\S+')]
                     || regexp_split_to_array(lower(coalesce(x.name, '')), '\\s+')) w
         WHERE w <> ''
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(changed)],
      );
    });
  }

  /**
   * Erases what the tracker holds about a contact: the label goes, the contact id in the log and
   * the firsts becomes a random pseudonym (figures stay right), click URLs and queued webhook
   * deliveries go, and a hash of the id stops late events from bringing the contact back.
   */
  async erase(contactId: string, erasedAt: string): Promise<void> {
    const pseudonym = `erased:${randomUUID()}`;
    await this.ds.transaction(async (m) => {
      await execute(m, `SELECT pg_advisory_xact_lock(${LOCK_CONTACT}, hashtext($1))`, [contactId]);
      await execute(
        m,
        'INSERT INTO tracker.erased_contacts (contact_hash, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [contactHash(contactId), erasedAt],
      );
      await execute(m, 'DELETE FROM tracker.contacts WHERE contact_id = $1', [contactId]);
      await execute(m, 'DELETE FROM tracker.contact_words WHERE contact_id = $1', [contactId]);
      await execute(m, 'UPDATE tracker.deliveries SET contact_id = $2 WHERE contact_id = $1', [contactId, pseudonym]);
      await execute(m, 'UPDATE tracker.events SET contact_id = $2, url = NULL WHERE contact_id = $1', [
        contactId,
        pseudonym,
      ]);
      await execute(
        m,
        `UPDATE tracker.firsts SET subject = $2 WHERE subject = $1 AND kind IN ('reach', 'opened', 'clicked')`,
        [contactId, pseudonym],
      );
      await execute(m, 'DELETE FROM tracker.webhook_deliveries WHERE contact_id = $1', [contactId]);
    });
  }
}
