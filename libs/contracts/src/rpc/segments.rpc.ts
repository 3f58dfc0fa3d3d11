import { z } from 'zod';
import { ContactSchema } from '../contact';
import { ContactIdSchema } from '../primitives';
import { rpcContract } from '../rpc';
import {
  SegmentCreateSchema,
  SegmentFiltersInputSchema,
  SegmentPatchSchema,
  SegmentViewSchema,
  ImportViewSchema,
} from '../rest/segment.dto';
import { WhereClauseSchema } from '../rest/where.dto';
import { ActorSchema } from './catalog.rpc';

const SegmentId = z.number().int().positive();

/** sb.rpc.preferences.segments.list — Mautic's list params over name and alias (`ids:1,2`, `!term`). */
export const preferencesSegmentsList = rpcContract(
  'preferences',
  'segments.list',
  z.object({
    search: z.string().max(1000).optional(),
    start: z.number().int().min(0).default(0),
    /** 0 = all. */
    limit: z.number().int().min(0).default(30),
    orderBy: z.string().max(64).optional(),
    orderByDir: z.enum(['asc', 'desc']).default('asc'),
    publishedOnly: z.boolean().default(false),
    /** Mautic's `where[i][col|expr|val]`. */
    where: z.array(WhereClauseSchema).max(50).optional(),
  }),
  z.object({ total: z.number().int(), segments: z.array(SegmentViewSchema) }),
);

export const preferencesSegmentsGet = rpcContract(
  'preferences',
  'segments.get',
  z.object({ id: SegmentId }),
  z.object({ segment: SegmentViewSchema }),
);

/**
 * sb.rpc.preferences.segments.save — `create` (no id), `put` (replace; creates when the id is
 * free), `patch` (NOT_FOUND when missing). Filters are checked against the segment engine: an
 * unknown field, operator or value is a validation error naming the filter.
 */
export const preferencesSegmentsSave = rpcContract(
  'preferences',
  'segments.save',
  z.union([
    z.object({
      mode: z.enum(['create', 'put']),
      id: SegmentId.optional(),
      input: SegmentCreateSchema,
      actor: ActorSchema,
    }),
    z.object({ mode: z.literal('patch'), id: SegmentId, input: SegmentPatchSchema, actor: ActorSchema }),
  ]),
  z.object({ segment: SegmentViewSchema, created: z.boolean() }),
);

/** sb.rpc.preferences.segments.delete — answers the segment as it was; its membership goes with it. */
export const preferencesSegmentsDelete = rpcContract(
  'preferences',
  'segments.delete',
  z.object({ id: SegmentId }),
  z.object({ segment: SegmentViewSchema }),
);

/**
 * sb.rpc.preferences.segments.members — adds contacts to a segment by hand, or removes them (a
 * removed contact stays out even when the filters match). NOT_FOUND for an unknown segment;
 * `done` lists the ids that exist (the others are unknown contacts).
 */
export const preferencesSegmentsMembers = rpcContract(
  'preferences',
  'segments.members',
  z.object({
    segmentId: SegmentId,
    action: z.enum(['add', 'remove']),
    contactIds: z.array(ContactIdSchema).min(1).max(1000),
  }),
  z.object({ done: z.array(ContactIdSchema) }),
);

/** sb.rpc.preferences.segments.contacts — one page of a segment's members (static and dynamic), by id. */
export const preferencesSegmentsContacts = rpcContract(
  'preferences',
  'segments.contacts',
  z.object({
    segmentId: SegmentId,
    start: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(1000).default(30),
  }),
  z.object({ total: z.number().int(), contacts: z.array(ContactSchema) }),
);

/** sb.rpc.preferences.segments.ofContact — the segments a contact is in now (NOT_FOUND for an unknown contact). */
export const preferencesSegmentsOfContact = rpcContract(
  'preferences',
  'segments.ofContact',
  z.object({ contactId: ContactIdSchema }),
  z.object({ segments: z.array(SegmentViewSchema) }),
);

/** sb.rpc.preferences.segments.preview — how many contacts these filters match now (the editor's live count). */
export const preferencesSegmentsPreview = rpcContract(
  'preferences',
  'segments.preview',
  z.object({ filters: SegmentFiltersInputSchema }),
  z.object({ count: z.number().int().min(0) }),
);

const ImportId = z.number().int().positive();

/**
 * CSV import (DESIGN §7.4): the gateway opens an import, streams the file's bytes in order as
 * chunks that preferences stores, then closes it; preferences parses the stored file in the
 * background from a persisted position, so the import outlives a restart of either service.
 */
export const preferencesImportsOpen = rpcContract(
  'preferences',
  'imports.open',
  z.object({ segmentId: SegmentId }),
  z.object({ id: ImportId }),
);

/** One chunk of the file (base64, ≤ 512 KiB decoded), `seq` from 0; a repeated seq is ignored. */
export const preferencesImportsChunk = rpcContract(
  'preferences',
  'imports.chunk',
  z.object({ id: ImportId, seq: z.number().int().min(0), data: z.string().max(720_000) }),
  z.object({ stored: z.boolean() }),
);

/** The upload is whole (`chunks` stored) and queued, or it broke off (`aborted`) and fails. */
export const preferencesImportsClose = rpcContract(
  'preferences',
  'imports.close',
  z.object({ id: ImportId, chunks: z.number().int().min(0), aborted: z.boolean().default(false) }),
  z.object({ import: ImportViewSchema }),
);

export const preferencesImportsGet = rpcContract(
  'preferences',
  'imports.get',
  z.object({ id: ImportId }),
  z.object({ import: ImportViewSchema }),
);
