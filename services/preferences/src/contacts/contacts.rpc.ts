import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import {
  preferencesContactsBatchUpsert,
  preferencesContactsErase,
  preferencesContactsFields,
  preferencesContactsGet,
  preferencesContactsList,
  preferencesContactsUpsert,
} from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { toContact } from './contact.record';
import { ContactsService } from './contacts.service';

type Req<C extends { request: z.ZodType }> = z.infer<C['request']>;
type Res<C extends { response: z.ZodType }> = Promise<z.input<C['response']>>;

@Injectable()
export class ContactsRpc {
  constructor(private readonly contacts: ContactsService) {}

  @RpcHandler(preferencesContactsGet)
  get(req: Req<typeof preferencesContactsGet>): Res<typeof preferencesContactsGet> {
    return this.contacts.get(req.id);
  }

  @RpcHandler(preferencesContactsUpsert)
  upsert(req: Req<typeof preferencesContactsUpsert>): Res<typeof preferencesContactsUpsert> {
    return this.contacts.upsert(req.contact, req.mode, req.mustExist);
  }

  @RpcHandler(preferencesContactsBatchUpsert)
  async batchUpsert(req: Req<typeof preferencesContactsBatchUpsert>): Res<typeof preferencesContactsBatchUpsert> {
    const results = await this.contacts.upsertMany(
      req.contacts.map((input) => ({ id: input.id, input })),
      req.mode,
      req.mustExist,
    );
    return {
      results: results.map(({ id, created, error }) => ({
        id,
        created,
        ...(error && { error: { code: error.code, message: error.message, details: error.details } }),
      })),
      ...(req.returnContacts && { contacts: results.map((r) => (r.record ? toContact(r.record) : null)) }),
    };
  }

  @RpcHandler(preferencesContactsFields)
  async fields(): Res<typeof preferencesContactsFields> {
    return { fields: await this.contacts.customFields() };
  }

  @RpcHandler(preferencesContactsList)
  list(req: Req<typeof preferencesContactsList>): Res<typeof preferencesContactsList> {
    return this.contacts.list(req);
  }

  @RpcHandler(preferencesContactsErase)
  erase(req: Req<typeof preferencesContactsErase>): Res<typeof preferencesContactsErase> {
    return this.contacts.erase(req.id);
  }
}
