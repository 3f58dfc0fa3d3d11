import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, type ContactInput } from '@switchboard/contracts';
import { applyInput, toContact, type Contact, type ContactRecord, type UpsertMode } from './contact.record';
import { ContactsRepository, type ListQuery } from './contacts.repository';
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
    return this.contacts.transaction(async (sql) => {
      const ids = [...new Set(items.map((i) => i.id))].sort();
      const created = mustExist ? new Set<string>() : await this.contacts.insertMissing(ids, sql);
      const current = await this.contacts.findMany(ids, sql, { lock: true });
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
      await this.contacts.saveMany(
        [...applied].map((id) => current.get(id)!),
        sql,
      );
      return results.map((r) => (r.error ? r : { ...r, record: current.get(r.id) }));
    });
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

function removal(counts: { before: number; after: number } | undefined): { removed: boolean; remaining: number } {
  return counts ? { removed: counts.after < counts.before, remaining: counts.after } : { removed: false, remaining: 0 };
}
