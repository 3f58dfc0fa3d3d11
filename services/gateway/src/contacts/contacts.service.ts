import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import {
  ContactInputSchema,
  issuesToDetails,
  preferencesContactsBatchUpsert,
  preferencesContactsErase,
  preferencesContactsGet,
  preferencesContactsList,
  preferencesContactsUpsert,
  preferencesDncAdd,
  preferencesDncRemove,
  preferencesSegmentsOfContact,
  type Channel,
  type ContactInput,
  type ContactListQuery,
  type ContactSchema,
  type DncReasonSchema,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { GatewayConfig } from '../gateway.config';

type Contact = z.infer<typeof ContactSchema>;
type ItemError = { code: number; message: string; details: Record<string, string[]>; type: null };

/** The contacts API over the preferences service's RPCs (DESIGN §7.3). */
@Injectable()
export class ContactsService {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  private get options() {
    return { timeoutMs: this.config.rpcTimeoutMs };
  }

  get(id: string): Promise<Contact> {
    return this.rpc.call(preferencesContactsGet, { id }, this.options);
  }

  list(query: ContactListQuery): Promise<{ total: number; contacts: Contact[] }> {
    return this.rpc.call(preferencesContactsList, query, this.options);
  }

  /** `replace` (PUT), `merge` (POST /new, PATCH); `mustExist` makes a missing contact a 404. */
  save(
    contact: ContactInput,
    mode: 'replace' | 'merge',
    mustExist = false,
  ): Promise<{ contact: Contact; created: boolean }> {
    return this.rpc.call(preferencesContactsUpsert, { contact, mode, mustExist }, this.options);
  }

  async erase(id: string): Promise<Contact> {
    return (await this.rpc.call(preferencesContactsErase, { id }, this.options)).contact;
  }

  /**
   * Each item is validated on its own: the valid ones are upserted in one call (an item without an
   * id gets a new one), the others answer 400 with their errors, as Mautic's batch endpoints do.
   */
  async batchUpsert(items: unknown[]): Promise<{ status: number; contact?: Contact; error?: ItemError }[]> {
    const results: { status: number; contact?: Contact; error?: ItemError }[] = new Array(items.length);
    const valid: { index: number; input: ContactInput & { id: string } }[] = [];
    items.forEach((item, index) => {
      const parsed = ContactInputSchema.safeParse(item);
      if (parsed.success) valid.push({ index, input: { ...parsed.data, id: parsed.data.id ?? randomUUID() } });
      else results[index] = { status: 400, error: itemError(issuesToDetails(parsed.error)) };
    });
    if (valid.length) {
      const reply = await this.rpc.call(
        preferencesContactsBatchUpsert,
        { contacts: valid.map((v) => v.input), returnContacts: true },
        this.options,
      );
      valid.forEach(({ index }, i) => {
        const r = reply.results[i];
        results[index] = r.error
          ? { status: 400, error: itemError(r.error.details, r.error.message) }
          : { status: r.created ? 201 : 200, contact: reply.contacts![i]! };
      });
    }
    return results;
  }

  async addDnc(
    contactId: string,
    channel: Channel,
    reason: z.infer<typeof DncReasonSchema>,
    comments?: string | null,
    source?: string | null,
  ): Promise<Contact> {
    return (await this.rpc.call(preferencesDncAdd, { contactId, channel, reason, comments, source }, this.options))
      .contact;
  }

  async segmentsOf(contactId: string) {
    return (await this.rpc.call(preferencesSegmentsOfContact, { contactId }, this.options)).segments;
  }

  removeDnc(contactId: string, channel: Channel): Promise<{ recordFound: boolean; contact: Contact }> {
    return this.rpc.call(preferencesDncRemove, { contactId, channel, by: 'admin' }, this.options);
  }
}

function itemError(details: Record<string, string[]>, message?: string): ItemError {
  const text =
    message ??
    Object.entries(details)
      .flatMap(([field, msgs]) => msgs.map((m) => (field ? `${field}: ${m}` : m)))
      .join(', ');
  return { code: 400, message: text, details, type: null };
}
