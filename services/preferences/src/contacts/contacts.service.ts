import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, type ContactInput } from '@switchboard/contracts';
import { applyInput, toContact, type Contact, type ContactRecord, type UpsertMode } from './contact.record';
import { ContactsRepository, type ListQuery, type Sql } from './contacts.repository';
import { ErasureOutbox } from './erasure.outbox';
import { anyMemberPredicate } from '../segments/membership';
import type { SqlParams } from '../segments/sql-params';
import { SegmentsService } from '../segments/segments.service';

export interface UpsertItem {
  id: string;
  input: ContactInput;
}

export interface UpsertResult {
  id: string;
  created: boolean;
  /** Set when this item was rejected (the others of the batch are saved). */
  error?: DomainError;
  /** The contact after the whole batch. */
  record?: ContactRecord;
  /** Whether the contact was written (always, unless `skipUnchanged` found it as it was). */
  changed?: boolean;
}

@Injectable()
export class ContactsService {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly erasures: ErasureOutbox,
    private readonly segments: SegmentsService,
  ) {}

  async get(id: string): Promise<Contact> {
    const record = await this.contacts.findOne(id);
    if (!record) throw DomainError.notFound();
    return toContact(record);
  }

  async upsert(
    input: ContactInput,
    mode: UpsertMode,
    mustExist: boolean,
  ): Promise<{ contact: Contact; created: boolean }> {
    const [result] = await this.upsertMany([{ id: input.id ?? randomUUID(), input }], mode, mustExist);
    if (result.error) throw result.error;
    return { contact: toContact(result.record!), created: result.created };
  }

  /**
   * Upserts a batch in one transaction: rows for new ids are inserted first (so two writers of one
   * new id never overwrite each other), then every contact is locked in id order, the inputs applied
   * in batch order, and the batch written in three statements.
   */
  async upsertMany(items: UpsertItem[], mode: UpsertMode, mustExist = false): Promise<UpsertResult[]> {
    return this.contacts.transaction((sql) => this.upsertManyIn(sql, items, mode, { mustExist }));
  }

  /**
   * `upsertMany` inside the caller's transaction. `skipUnchanged`: a contact whose fields come out
   * as they were is not written (its dateModified stays), so importing the same file twice changes
   * nothing.
   */
  async upsertManyIn(
    sql: Sql,
    items: UpsertItem[],
    mode: UpsertMode,
    options: { mustExist?: boolean; skipUnchanged?: boolean } = {},
  ): Promise<UpsertResult[]> {
    const ids = [...new Set(items.map((i) => i.id))].sort();
    const created = options.mustExist ? new Set<string>() : await this.contacts.insertMissing(ids, sql);
    const current = await this.contacts.findMany(ids, sql, { lock: true });
    const before = options.skipUnchanged ? new Map([...current].map(([id, r]) => [id, comparable(r)])) : undefined;
    const applied = new Set<string>();
    const results: UpsertResult[] = items.map(({ id, input }) => {
      const base = current.get(id);
      if (!base) return { id, created: false, error: DomainError.notFound() };
      try {
        current.set(id, applyInput(base, input, mode));
      } catch (error) {
        if (error instanceof DomainError) return { id, created: false, error };
        throw error;
      }
      const isNew = created.has(id) && !applied.has(id);
      applied.add(id);
      return { id, created: isNew };
    });
    const neverApplied = [...created].filter((id) => !applied.has(id));
    if (neverApplied.length) await this.contacts.deleteMany(neverApplied, sql);
    const changed = [...applied].filter((id) => created.has(id) || before?.get(id) !== comparable(current.get(id)!));
    await this.contacts.saveMany(
      changed.map((id) => current.get(id)!),
      sql,
    );
    const changedSet = new Set(changed);
    return results.map((r) => (r.error ? r : { ...r, record: current.get(r.id), changed: changedSet.has(r.id) }));
  }

  /** `search=segment:{alias}` lists the segment's members (none for an unknown alias), as Mautic does. */
  async list(query: ListQuery): Promise<{ total: number; contacts: Contact[] }> {
    const alias = /^segment:(.+)$/i.exec(query.search?.trim() ?? '')?.[1];
    let member: ((params: SqlParams) => string) | undefined;
    if (alias !== undefined) {
      const segment = await this.segments.byAlias(alias);
      member = (params) => (segment ? anyMemberPredicate([segment], params) : 'false');
    }
    const { total, records } = await this.contacts.list(query, member);
    return { total, contacts: records.map(toContact) };
  }

  /** Erases the contact here, then announces it so every other service erases its copy. */
  async erase(id: string): Promise<{ contact: Contact; erasedAt: string }> {
    const { record, erasedAt } = await this.contacts.transaction(async (sql) => {
      const found = await this.contacts.findMany([id], sql, { lock: true });
      const existing = found.get(id);
      if (!existing) throw DomainError.notFound();
      return { record: existing, erasedAt: await this.contacts.erase(id, sql) };
    });
    await this.erasures.announce(id, erasedAt);
    return { contact: toContact(record), erasedAt: erasedAt.toISOString() };
  }

  async removeWebPush(contactId: string, endpoint: string): Promise<{ removed: boolean; remaining: number }> {
    return removal(await this.contacts.removeWebPush(contactId, endpoint));
  }

  async removeMobileDevice(contactId: string, token: string): Promise<{ removed: boolean; remaining: number }> {
    return removal(await this.contacts.removeMobileDevice(contactId, token));
  }
}

/** A record without its modification time, for telling whether an upsert changed anything. */
function comparable(record: ContactRecord): string {
  const { dateModified: _dateModified, ...rest } = record;
  return JSON.stringify(rest);
}

function removal(counts: { before: number; after: number } | undefined): { removed: boolean; remaining: number } {
  return counts ? { removed: counts.after < counts.before, remaining: counts.after } : { removed: false, remaining: 0 };
}
