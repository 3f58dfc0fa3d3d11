import { Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Put, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import {
  ChannelSchema,
  CONTACT_BATCH_LIMIT,
  CONTACT_MAUTIC_BATCH_LIMIT,
  ContactBatchIdsQuerySchema,
  ContactBatchReplySchema,
  ContactBodySchema,
  ContactDeletedReplySchema,
  ContactFieldListReplySchema,
  ContactIdSchema,
  ContactInputSchema,
  ContactListQuerySchema,
  ContactReplySchema,
  DncAddBodySchema,
  DncRemoveReplySchema,
  DomainError,
  ErrorCode,
  INVALID_DNC_REASON,
  MauticContactListReplySchema,
  parseDncReason,
  parseOrThrow,
  type Channel,
  type ContactInput,
  type ContactListQuery,
} from '@switchboard/contracts';
import { ApiDoc, JSON_CONTENT_TYPE, mauticListJson, ZodBody, ZodQuery } from '../http';
import { ContactsService, type BatchResult } from './contacts.service';

const tags = ['contacts'];

const BatchBody = z
  .array(z.unknown(), { error: 'The body is a list of contacts.' })
  .min(1, 'At least one contact is required.')
  .max(CONTACT_BATCH_LIMIT, `A max of ${CONTACT_BATCH_LIMIT} entities are supported at a time.`);

/** Mautic's own batch endpoints take at most 200. */
const MauticBatchBody = z
  .array(z.unknown(), { error: 'The body is a list of contacts.' })
  .min(1, 'At least one contact is required.')
  .max(CONTACT_MAUTIC_BATCH_LIMIT, `A max of ${CONTACT_MAUTIC_BATCH_LIMIT} entities are supported at a time.`);

/** Mautic's batch reply: the contacts that succeeded, a status per input, and errors keyed by input index. */
function batchReply(results: BatchResult[]) {
  const errors = Object.fromEntries(results.flatMap((r, i) => (r.error ? [[String(i), r.error]] : [])));
  return {
    contacts: results.flatMap((r) => (r.contact ? [r.contact] : [])),
    statusCodes: results.map((r) => r.status),
    ...(Object.keys(errors).length ? { errors } : {}),
  };
}

const isContactId = (id: string) => ContactIdSchema.safeParse(id).success;

/** `{id}` is a contact id (`[A-Za-z0-9._:-]{1,64}`); anything else is a 404, as a missing contact is. */
function contactId(id: string): string {
  if (!ContactIdSchema.safeParse(id).success) throw DomainError.notFound();
  return id;
}

function channelOf(channel: string): Channel {
  return parseOrThrow(z.object({ channel: ChannelSchema }), { channel }).channel;
}

/** Contacts and their preferences (DESIGN §7.3), Mautic-compatible; the preferences service owns the data. */
@Controller('api/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Post('batch/upsert')
  @HttpCode(200)
  @ApiDoc({
    summary: `Create or update up to ${CONTACT_BATCH_LIMIT} contacts (merge; omitted fields stay)`,
    tags,
    body: z.array(ContactInputSchema),
    responses: { 200: ContactBatchReplySchema },
  })
  async batchUpsert(@ZodBody(BatchBody) items: unknown[]) {
    return batchReply(await this.contacts.batchUpsert(items));
  }

  @Post('batch/new')
  @HttpCode(201)
  @ApiDoc({
    summary: `Create up to ${CONTACT_MAUTIC_BATCH_LIMIT} contacts (one with a known email updates that contact, 200)`,
    tags,
    body: z.array(ContactInputSchema),
    responses: { 201: ContactBatchReplySchema },
  })
  async batchNew(@ZodBody(MauticBatchBody) items: unknown[]) {
    return batchReply(await this.contacts.batchUpsert(items));
  }

  @Put('batch/edit')
  @ApiDoc({
    summary: `Replace up to ${CONTACT_MAUTIC_BATCH_LIMIT} contacts (omitted fields cleared; missing ones created, 201)`,
    tags,
    body: z.array(ContactInputSchema),
    responses: { 200: ContactBatchReplySchema },
  })
  async batchPut(@ZodBody(MauticBatchBody) items: unknown[]) {
    return batchReply(await this.contacts.batchUpsert(items, { mode: 'replace', mustExist: false, idRequired: false }));
  }

  @Patch('batch/edit')
  @ApiDoc({
    summary: `Edit up to ${CONTACT_MAUTIC_BATCH_LIMIT} contacts, each with its id (a missing one is a 404)`,
    tags,
    body: z.array(ContactInputSchema),
    responses: { 200: ContactBatchReplySchema },
  })
  async batchPatch(@ZodBody(MauticBatchBody) items: unknown[]) {
    return batchReply(await this.contacts.batchUpsert(items, { mode: 'merge', mustExist: true, idRequired: true }));
  }

  @Delete('batch/delete')
  @ApiDoc({
    summary: `Erase up to ${CONTACT_MAUTIC_BATCH_LIMIT} contacts (?ids=a,b or ?ids[]=a); answers them as they were, ids included`,
    tags,
    responses: { 200: ContactBatchReplySchema },
  })
  async batchDelete(@ZodQuery(ContactBatchIdsQuerySchema) query: z.infer<typeof ContactBatchIdsQuerySchema>) {
    return batchReply(await this.contacts.batchErase(query.ids, isContactId));
  }

  @Get('list/fields')
  @ApiDoc({
    summary: "The contact fields, core and custom, as Mautic's field list (keyed by field id)",
    tags,
    responses: { 200: ContactFieldListReplySchema },
  })
  fields() {
    return this.contacts.fields();
  }

  @Get()
  @ApiDoc({
    summary:
      "List contacts (search: id, email, name or mobile; `!term` negates; `ids:a,b`; `segment:alias`; Mautic's where[i][col|expr|val] over the contact's columns and custom fields)",
    tags,
    responses: { 200: MauticContactListReplySchema },
  })
  @Header('content-type', JSON_CONTENT_TYPE)
  async list(@ZodQuery(ContactListQuerySchema) query: ContactListQuery) {
    const { total, contacts } = await this.contacts.list(query);
    return mauticListJson('contacts', 'contacts', total, contacts);
  }

  @Post('new')
  @HttpCode(201)
  @ApiDoc({
    summary:
      'Create a contact (custom fields flat or under `fields`; id optional: an existing id, or without one an existing email, is updated, 200)',
    tags,
    body: ContactInputSchema,
    responses: { 201: ContactReplySchema, 200: ContactReplySchema },
  })
  async create(@ZodBody(ContactBodySchema) body: ContactInput, @Res({ passthrough: true }) res: Response) {
    const { contact, created } = await this.contacts.save(body, 'merge');
    if (created) res.setHeader('location', `/api/contacts/${contact.id}`);
    else res.status(200);
    return { contact };
  }

  @Get(':id')
  @ApiDoc({ summary: 'Get one contact', tags, responses: { 200: ContactReplySchema, 404: 'Item was not found.' } })
  async get(@Param('id') id: string) {
    return { contact: await this.contacts.get(contactId(id)) };
  }

  @Get(':id/segments')
  @ApiDoc({ summary: "The contact's segments now (static and dynamic), `lists` keyed by id", tags })
  @Header('content-type', JSON_CONTENT_TYPE)
  async segments(@Param('id') id: string) {
    const segments = await this.contacts.segmentsOf(contactId(id));
    return mauticListJson('byId', 'lists', segments.length, segments);
  }

  @Put(':id/edit')
  @ApiDoc({
    summary: 'Replace a contact (omitted fields cleared); creates it when missing (201)',
    tags,
    responses: { 200: ContactReplySchema, 201: ContactReplySchema },
  })
  async put(
    @Param('id') id: string,
    @ZodBody(ContactBodySchema) body: ContactInput,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { contact, created } = await this.contacts.save({ ...body, id: contactId(id) }, 'replace');
    if (created) res.status(201).setHeader('location', `/api/contacts/${contact.id}`);
    return { contact };
  }

  @Patch(':id/edit')
  @ApiDoc({
    summary: 'Edit a contact (omitted fields stay, null clears)',
    tags,
    responses: { 200: ContactReplySchema, 404: 'Item was not found.' },
  })
  async patch(@Param('id') id: string, @ZodBody(ContactBodySchema) body: ContactInput) {
    return { contact: (await this.contacts.save({ ...body, id: contactId(id) }, 'merge', true)).contact };
  }

  @Delete(':id/delete')
  @ApiDoc({
    summary: "Erase a contact's personal data everywhere (announced on sb.contact.erased.v1)",
    tags,
    responses: { 200: ContactDeletedReplySchema, 404: 'Item was not found.' },
  })
  async erase(@Param('id') id: string) {
    return { contact: { ...(await this.contacts.erase(contactId(id))), id: null } };
  }

  @Post(':id/dnc/:channel/add')
  @HttpCode(200)
  @ApiDoc({
    summary: 'Add a do-not-contact entry (reason 1 unsubscribed, 2 bounced, 3 manual (default), 4 complained)',
    tags,
    body: DncAddBodySchema,
    responses: { 200: ContactReplySchema },
  })
  async addDnc(
    @Param('id') id: string,
    @Param('channel') channel: string,
    @ZodBody(DncAddBodySchema) body: z.infer<typeof DncAddBodySchema>,
  ) {
    const reason = body.reason === undefined ? 3 : parseDncReason(body.reason);
    if (reason === undefined)
      throw new DomainError(ErrorCode.Validation, INVALID_DNC_REASON, { reason: [INVALID_DNC_REASON] });
    const source = body.channelId === undefined || body.channelId === null ? null : String(body.channelId);
    return { contact: await this.contacts.addDnc(contactId(id), channelOf(channel), reason, body.comments, source) };
  }

  @Post(':id/dnc/:channel/remove')
  @HttpCode(200)
  @ApiDoc({ summary: 'Remove the do-not-contact entries of a channel', tags, responses: { 200: DncRemoveReplySchema } })
  removeDnc(@Param('id') id: string, @Param('channel') channel: string) {
    return this.contacts.removeDnc(contactId(id), channelOf(channel));
  }
}
