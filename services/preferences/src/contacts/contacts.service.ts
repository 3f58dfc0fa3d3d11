import { Inject, Injectable } from '@nestjs/common';
import { DomainError, isTargetRemoval, type ContactInput, type DeliveryEvent } from '@switchboard/contracts';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { DncRepository } from '../dnc/dnc.repository';
import type { PreferencesConfig } from '../preferences.config';
import { applyInput, toContact, type Contact, type ContactRecord, type UpsertMode } from './contact.record';
import { ContactsRepository, type ContactFieldRow, type ListQuery } from './contacts.repository';

import { ErasureOutbox } from './erasure.outbox';
import { anyMemberPredicate } from '../segments/membership';
import type { SqlParams } from '@switchboard/persistence';
import { SegmentsService } from '../segments/segments.service';
import type { Queryable } from '@switchboard/persistence';

export interface UpsertItem {
  /** Absent: the contact with the input's email (Mautic's merge), else a new contact with a numeric id. */
  id?: string;
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
  private readonly defaultCountry?: string;

  constructor(
    private readonly contacts: ContactsRepository,
    private readonly dnc: DncRepository,
    private readonly erasures: ErasureOutbox,
    private readonly segments: SegmentsService,
    @Inject(SERVICE_CONFIG) config: PreferencesConfig,
  ) {
    this.defaultCountry = config.contacts.defaultCountry;
  }

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
    const [result] = await this.upsertMany([{ id: input.id, input }], mode, mustExist);
    if (result.error) throw result.error;
    return { contact: toContact(result.record!), created: result.created };
  }

  /**
   * Upserts a batch in one transaction: items without an id get the id of the contact with their
   * email, else a new numeric one; rows for new ids are inserted first (so two writers of one new
   * id never overwrite each other), then every contact is locked in id order, the inputs applied
   * in batch order, and the batch written in a few statements.
   */
  async upsertMany(items: UpsertItem[], mode: UpsertMode, mustExist = false): Promise<UpsertResult[]> {
    return this.contacts.transaction(async (sql) => {
      const resolved = await this.resolveIds(items, sql);
      const ids = [...new Set(resolved.map((i) => i.id))].sort();
      const created = mustExist ? new Set<string>() : await this.contacts.insertMissing(ids, sql);
      const current = await this.contacts.findMany(ids, sql, { lock: true });
      const dncBefore = new Map([...current].map(([id, record]) => [id, record.dnc.length]));
      const applied = new Set<string>();
      const results: UpsertResult[] = resolved.map(({ id, input }) => {
        const base = current.get(id);
        if (!base) return { id, created: false, error: DomainError.notFound() };
        try {
          current.set(id, applyInput(base, input, mode, this.defaultCountry));
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
      const saved = [...applied].map((id) => current.get(id)!);
      await this.contacts.saveMany(saved, sql);
      await this.dnc.addMany(
        saved.flatMap((r) => r.dnc.slice(dncBefore.get(r.id)).map((d) => ({ ...d, contactId: r.id }))),
        sql,
      );
      await this.contacts.registerFields(customFieldsOf(resolved.map((r) => r.input)), sql);
      return results.map((r) => (r.error ? r : { ...r, record: current.get(r.id) }));
    });
  }

  /** Mautic's merge: an item without an id is the contact with its email (one per email in a batch), else a new one. */
  private async resolveIds(items: UpsertItem[], sql: Queryable): Promise<{ id: string; input: ContactInput }[]> {
    const emailOf = (item: UpsertItem) => item.input.email?.toLowerCase();
    const anonymous = items.filter((item) => item.id === undefined);
    if (anonymous.length === 0) return items as { id: string; input: ContactInput }[];
    const emails = [...new Set(anonymous.map(emailOf).filter((e): e is string => !!e))].sort();
    const byEmail = emails.length ? await this.contacts.lockAndFindByEmail(emails, sql) : new Map<string, string>();
    const needed = anonymous.filter((item) => {
      const email = emailOf(item);
      if (!email) return true;
      if (byEmail.has(email)) return false;
      byEmail.set(email, '');
      return true;
    }).length;
    const fresh = await this.contacts.newNumericIds(needed, sql);
    return items.map((item) => {
      if (item.id !== undefined) return { id: item.id, input: item.input };
      const email = emailOf(item);
      if (!email) return { id: fresh.shift()!, input: item.input };
      if (!byEmail.get(email)) byEmail.set(email, fresh.shift()!);
      return { id: byEmail.get(email)!, input: item.input };
    });
  }

  /** The custom fields contacts were given (GET /api/contacts/list/fields). */
  customFields(): Promise<ContactFieldRow[]> {
    return this.contacts.customFields();
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

  /**
   * Bounces that name a dead push target (`meta.removedAddress`, DESIGN §6): the contact loses that
   * subscription or device and keeps the others; with none left the channel has no address for
   * it (skip `no_address`) until the contact subscribes again, which a do-not-contact entry would
   * have refused. Removing what is gone already changes nothing, so a redelivered bounce is harmless.
   */
  async removeDeadPushTargets(events: DeliveryEvent[]): Promise<void> {
    for (const e of events) {
      if (!isTargetRemoval(e)) continue;
      const address = e.meta!.removedAddress as string;
      if (e.channel === 'notification') await this.contacts.removeWebPush(e.contactId, address);
      else if (e.channel === 'mobile_notification') await this.contacts.removeMobileDevice(e.contactId, address);
    }
  }
}

function customFieldsOf(inputs: ContactInput[]): ContactFieldRow[] {
  const fields = new Map<string, ContactFieldRow['type']>();
  for (const input of inputs) {
    for (const [alias, value] of Object.entries(input.fields ?? {})) {
      if (fields.has(alias) || value === null || value === undefined) continue;
      fields.set(alias, typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'text');
    }
  }
  return [...fields].map(([alias, type]) => ({ alias, type }));
}
