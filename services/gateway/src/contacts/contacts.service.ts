import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import {
  ContactBodySchema,
  DomainError,
  ErrorCode,
  HTTP_STATUS_BY_CODE,
  issuesToDetails,
  preferencesContactsBatchUpsert,
  preferencesContactsErase,
  preferencesContactsFields,
  preferencesContactsGet,
  preferencesContactsList,
  preferencesContactsUpsert,
  preferencesDncAdd,
  preferencesDncRemove,
  preferencesSegmentsOfContact,
  type Channel,
  type ContactFieldListReplySchema,
  type ContactInput,
  type ContactListQuery,
  type DncReasonSchema,
  type MauticContact,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { GatewayConfig } from '../gateway.config';
import { fieldList, toMauticContact } from './mautic-contact';

type ItemError = { code: number; message: string; details: Record<string, string[]>; type: null };
export type BatchResult = { status: number; contact?: MauticContact; error?: ItemError };
export type BatchMode = { mode: 'replace' | 'merge'; mustExist: boolean; idRequired: boolean };

/** The contacts API over the preferences service's RPCs (DESIGN §7.3), in Mautic's contact shape. */
@Injectable()
export class ContactsService {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  private get options() {
    return { timeoutMs: this.config.rpcTimeoutMs };
  }

  async get(id: string): Promise<MauticContact> {
    return toMauticContact(await this.rpc.call(preferencesContactsGet, { id }, this.options));
  }

  async list(query: ContactListQuery): Promise<{ total: number; contacts: MauticContact[] }> {
    const { total, contacts } = await this.rpc.call(preferencesContactsList, query, this.options);
    return { total, contacts: contacts.map(toMauticContact) };
  }

  /** `replace` (PUT), `merge` (POST /new, PATCH); `mustExist` makes a missing contact a 404. */
  async save(
    contact: ContactInput,
    mode: 'replace' | 'merge',
    mustExist = false,
  ): Promise<{ contact: MauticContact; created: boolean }> {
    const reply = await this.rpc.call(preferencesContactsUpsert, { contact, mode, mustExist }, this.options);
    return { contact: toMauticContact(reply.contact), created: reply.created };
  }

  async erase(id: string): Promise<MauticContact> {
    return toMauticContact((await this.rpc.call(preferencesContactsErase, { id }, this.options)).contact);
  }

  /**
   * Each item is validated on its own: the valid ones are upserted in one call (an item without an
   * id merges on its email or gets a new one), the others answer with their errors, as Mautic's
   * batch endpoints do.
   */
  async batchUpsert(
    items: unknown[],
    { mode, mustExist, idRequired }: BatchMode = { mode: 'merge', mustExist: false, idRequired: false },
  ): Promise<BatchResult[]> {
    const results: BatchResult[] = new Array(items.length);
    const valid: { index: number; input: ContactInput }[] = [];
    items.forEach((item, index) => {
      const parsed = ContactBodySchema.safeParse(item);
      if (!parsed.success) results[index] = { status: 400, error: itemError(400, issuesToDetails(parsed.error)) };
      else if (idRequired && parsed.data.id === undefined)
        results[index] = { status: 400, error: itemError(400, { id: ['An id is required.'] }) };
      else valid.push({ index, input: parsed.data });
    });
    if (valid.length) {
      const reply = await this.rpc.call(
        preferencesContactsBatchUpsert,
        { contacts: valid.map((v) => v.input), mode, mustExist, returnContacts: true },
        this.options,
      );
      valid.forEach(({ index }, i) => {
        const r = reply.results[i];
        if (r.error) {
          const status = HTTP_STATUS_BY_CODE[r.error.code as ErrorCode] ?? 400;
          results[index] = { status, error: itemError(status, r.error.details, r.error.message) };
        } else results[index] = { status: r.created ? 201 : 200, contact: toMauticContact(reply.contacts![i]!) };
      });
    }
    return results;
  }

  /** Erases each contact; answers them as they were, ids kept (Mautic renders a batch before deleting it). */
  async batchErase(ids: string[], valid: (id: string) => boolean): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    for (const id of ids) {
      try {
        if (!valid(id)) throw DomainError.notFound();
        results.push({ status: 200, contact: await this.erase(id) });
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== ErrorCode.NotFound) throw error;
        results.push({ status: 404, error: itemError(404, {}, error.message) });
      }
    }
    return results;
  }

  async fields(): Promise<z.infer<typeof ContactFieldListReplySchema>> {
    return fieldList((await this.rpc.call(preferencesContactsFields, {}, this.options)).fields);
  }

  async addDnc(
    contactId: string,
    channel: Channel,
    reason: z.infer<typeof DncReasonSchema>,
    comments?: string | null,
    source?: string | null,
  ): Promise<MauticContact> {
    const reply = await this.rpc.call(
      preferencesDncAdd,
      { contactId, channel, reason, comments, source },
      this.options,
    );
    return toMauticContact(reply.contact);
  }

  async segmentsOf(contactId: string) {
    return (await this.rpc.call(preferencesSegmentsOfContact, { contactId }, this.options)).segments;
  }

  async removeDnc(contactId: string, channel: Channel): Promise<{ recordFound: boolean; contact: MauticContact }> {
    const reply = await this.rpc.call(preferencesDncRemove, { contactId, channel, by: 'admin' }, this.options);
    return { recordFound: reply.recordFound, contact: toMauticContact(reply.contact) };
  }
}

function itemError(code: number, details: Record<string, string[]>, message?: string): ItemError {
  const text =
    message ??
    Object.entries(details)
      .flatMap(([field, msgs]) => msgs.map((m) => (field ? `${field}: ${m}` : m)))
      .join(', ');
  return { code, message: text, details, type: null };
}
