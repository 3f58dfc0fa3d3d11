import { z } from 'zod';
import { ChannelSchema } from '../channels';
import { ContactIdSchema, IsoDateTimeSchema } from '../primitives';
import { ContactInputSchema, ContactSchema, DncReasonSchema } from '../contact';
import { FAILURE_REASONS, SkippedSchema, DispatchContactSchema } from '../events';
import { rpcContract } from '../rpc';
import { WhereClauseSchema } from '../rest/where.dto';
import { acceptsDecideResponseAsIs } from '../hot-path-checks';

export const DecisionRequestSchema = z.object({
  sendId: z.string(),
  /** 0 for the first routing; +1 for each re-route after a permanent failure. Reservations are unique on (sendId, attempt). */
  attempt: z.number().int().min(0),
  contactId: ContactIdSchema,
  /**
   * The message's enabled channels that have a live sender, ordered by the override (if any) then
   * the message's own order. Preferences moves the contact's preferred channel to the front.
   */
  channels: z.array(ChannelSchema),
  /** Channels whose content item is missing or unpublished (skip reason `content_unavailable`). */
  contentUnavailable: z.array(ChannelSchema).default([]),
  /** Channels already tried for this send (skip reason `excluded`). */
  excludeChannels: z.array(ChannelSchema).default([]),
  /** Times this send has been deferred already. */
  deferrals: z.number().int().min(0),
  expiresAt: IsoDateTimeSchema,
});
export type DecisionRequest = z.infer<typeof DecisionRequestSchema>;

/** What the requests of one `decide` call share, sent once for the call (see packDecisionRequests). */
export const SharedDecisionFieldsSchema = DecisionRequestSchema.omit({ sendId: true, contactId: true });
export type SharedDecisionFields = z.infer<typeof SharedDecisionFieldsSchema>;

/** One request of a `decide` call on the wire: its send and contact, and any field whose value is not the call's shared one. */
export const PackedDecisionRequestSchema = z.object({
  sendId: z.string(),
  contactId: ContactIdSchema,
  // Optional without the defaults of DecisionRequestSchema: an absent field is the shared one.
  attempt: z.number().int().min(0).optional(),
  channels: z.array(ChannelSchema).optional(),
  contentUnavailable: z.array(ChannelSchema).optional(),
  excludeChannels: z.array(ChannelSchema).optional(),
  deferrals: z.number().int().min(0).optional(),
  expiresAt: IsoDateTimeSchema.optional(),
});
export type PackedDecisionRequest = z.infer<typeof PackedDecisionRequestSchema>;

export const DecisionSchema = z.object({
  sendId: z.string(),
  outcome: z.enum(['routed', 'deferred', 'failed']),
  /** The candidates in the order they were judged. */
  candidates: z.array(ChannelSchema),
  skipped: z.array(SkippedSchema),
  channel: ChannelSchema.optional(),
  /** Who and where to send, when routed. */
  contact: DispatchContactSchema.optional(),
  retryAt: IsoDateTimeSchema.optional(),
  reason: z.enum(FAILURE_REASONS).optional(),
});
export type Decision = z.infer<typeof DecisionSchema>;

/**
 * One decision of a `decide` reply on the wire. `decisions[i]` answers `requests[i]`, so it names
 * no send; `candidates` are left out when they are the request's channels in their order (no
 * preferred channel moved to the front), `skipped` when nothing was (see packDecisions).
 */
export const PackedDecisionSchema = DecisionSchema.omit({ sendId: true }).extend({
  candidates: z.array(ChannelSchema).optional(),
  skipped: z.array(SkippedSchema).optional(),
});
export type PackedDecision = z.infer<typeof PackedDecisionSchema>;

/**
 * sb.rpc.preferences.decide — DESIGN §4 steps 2–6 for a batch, in one transaction: the winner's
 * frequency slot is reserved atomically; deciding the same (sendId, attempt) again returns the
 * first decision's channel without a second reservation. The requests travel packed: the fields
 * most of them share once in `shared`, each request only where it differs (packDecisionRequests,
 * unpackDecisionRequests), and the decisions answer them in their order, packed too (packDecisions,
 * unpackDecisions).
 */
export const preferencesDecide = rpcContract(
  'preferences',
  'decide',
  z.object({ shared: SharedDecisionFieldsSchema, requests: z.array(PackedDecisionRequestSchema).min(1).max(1000) }),
  z.object({ decisions: z.array(PackedDecisionSchema) }),
  { acceptsResponseAsIs: acceptsDecideResponseAsIs },
);

/** sb.rpc.preferences.contacts.get — one contact (NOT_FOUND when missing). For the gateway and senders. */
export const preferencesContactsGet = rpcContract(
  'preferences',
  'contacts.get',
  z.object({ id: ContactIdSchema }),
  ContactSchema,
);

/**
 * sb.rpc.preferences.contacts.upsert — `replace`: every field given replaces the stored contact,
 * omitted ones are cleared (REST PUT); `merge`: fields given change, omitted ones stay, `null`
 * clears (PATCH, POST /new, events). `mustExist` → NOT_FOUND instead of creating. Without an id a
 * new contact with a generated id is created.
 */
export const preferencesContactsUpsert = rpcContract(
  'preferences',
  'contacts.upsert',
  z.object({
    contact: ContactInputSchema,
    mode: z.enum(['replace', 'merge']).default('merge'),
    mustExist: z.boolean().default(false),
  }),
  z.object({ contact: ContactSchema, created: z.boolean() }),
);

/**
 * sb.rpc.preferences.contacts.batchUpsert — upserts up to 1000 contacts in one transaction
 * (campaign-actions' inline contact fields, REST batch endpoints), `merge` by default. The same id
 * twice applies in order; an item without an id updates the contact with its email, else creates
 * one with a new numeric id (Mautic's merge). `mustExist`: a missing id is NOT_FOUND.
 * `results[i]` answers `contacts[i]`: an item whose rules are inconsistent carries `error` (a
 * validation error naming the field) and is not saved; the others are. Full contacts (null for a
 * rejected item) only when `returnContacts`.
 */
export const preferencesContactsBatchUpsert = rpcContract(
  'preferences',
  'contacts.batchUpsert',
  z.object({
    contacts: z.array(ContactInputSchema).min(1).max(1000),
    mode: z.enum(['replace', 'merge']).default('merge'),
    mustExist: z.boolean().default(false),
    returnContacts: z.boolean().default(false),
  }),
  z.object({
    results: z.array(
      z.object({
        id: z.string(),
        created: z.boolean(),
        error: z
          .object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.array(z.string())) })
          .optional(),
      }),
    ),
    contacts: z.array(ContactSchema.nullable()).optional(),
  }),
);

/** sb.rpc.preferences.contacts.fields — the custom fields contacts have been given (alias, and the type of the first value seen), oldest first. */
export const preferencesContactsFields = rpcContract(
  'preferences',
  'contacts.fields',
  z.object({}),
  z.object({ fields: z.array(z.object({ alias: z.string(), type: z.enum(['text', 'number', 'boolean']) })) }),
);

/** sb.rpc.preferences.contacts.list — `search`: substring of id, email, names or mobile; `!term` negates; `ids:a,b`. */
export const preferencesContactsList = rpcContract(
  'preferences',
  'contacts.list',
  z.object({
    /** Long enough for `ids:` with a thousand 64-character ids. */
    search: z.string().max(70_000).optional(),
    start: z.number().int().min(0).default(0),
    /** 0 = all. */
    limit: z.number().int().min(0).max(10_000).default(30),
    orderBy: z.enum(['id', 'email', 'firstname', 'lastname', 'dateAdded', 'dateModified']).default('id'),
    orderByDir: z.enum(['asc', 'desc']).default('asc'),
    /** Mautic's `where[i][col|expr|val]`, ANDed with the search. */
    where: z.array(WhereClauseSchema).max(50).optional(),
  }),
  z.object({ total: z.number().int(), contacts: z.array(ContactSchema) }),
);

/**
 * sb.rpc.preferences.contacts.erase — deletes the contact and everything held about it (rules,
 * do-not-contact, ledger, decisions), then publishes sb.contact.erased.v1. Answers the contact as it
 * was; NOT_FOUND when missing.
 */
export const preferencesContactsErase = rpcContract(
  'preferences',
  'contacts.erase',
  z.object({ id: ContactIdSchema }),
  z.object({ contact: ContactSchema, erasedAt: IsoDateTimeSchema }),
);

/** sb.rpc.preferences.dnc.add — a do-not-contact entry (one per contact, channel and reason); NOT_FOUND for an unknown contact. */
export const preferencesDncAdd = rpcContract(
  'preferences',
  'dnc.add',
  z.object({
    contactId: ContactIdSchema,
    channel: ChannelSchema,
    reason: DncReasonSchema.default(3),
    comments: z.string().max(2000).nullable().optional(),
    /** The message or dispatch id that caused it. */
    source: z.string().max(200).nullable().optional(),
  }),
  z.object({ contact: ContactSchema }),
);

/**
 * sb.rpc.preferences.dnc.remove — `by: 'admin'` removes every entry on the channel; `by: 'contact'`
 * (the contact re-subscribing on the unsubscribe page) keeps `bounced` and `complained` entries.
 * `recordFound`: whether an entry was removed. NOT_FOUND for an unknown contact.
 */
export const preferencesDncRemove = rpcContract(
  'preferences',
  'dnc.remove',
  z.object({ contactId: ContactIdSchema, channel: ChannelSchema, by: z.enum(['admin', 'contact']).default('admin') }),
  z.object({ recordFound: z.boolean(), contact: ContactSchema }),
);
