import { SqlParams } from '@switchboard/persistence';
import { Injectable } from '@nestjs/common';
import {
  DomainError,
  type Actor,
  type SegmentCreate,
  type SegmentFilter,
  type SegmentFilterInput,
  type SegmentPatch,
  type SegmentView,
  type WhereClause,
} from '@switchboard/contracts';
import { AudienceRepository } from '../audience/audience.repository';
import { Clock } from '../clock/clock';
import { toContact, type Contact } from '../contacts/contact.record';
import { ContactsRepository } from '../contacts/contacts.repository';
import type { SegmentDefinition } from './membership';
import {
  compileFilters,
  MAX_SEGMENT_NESTING,
  normalizeFilters,
  referencedSegments,
  type SegmentLookup,
} from './segment-filters';
import {
  SegmentsRepository,
  type SegmentListQuery,
  type SegmentRecord,
  type SegmentWrite,
} from './segments.repository';

/** ISO 8601 with an explicit UTC offset, as Mautic prints dates. */
const mauticDate = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, '+00:00');

export function toSegmentView(r: SegmentRecord): SegmentView {
  return {
    isPublished: r.isPublished,
    dateAdded: mauticDate(r.dateAdded),
    dateModified: r.dateModified ? mauticDate(r.dateModified) : null,
    createdBy: r.createdById,
    createdByUser: r.createdBy,
    modifiedBy: r.modifiedById,
    modifiedByUser: r.modifiedBy,
    id: r.id,
    name: r.name,
    publicName: r.publicName,
    alias: r.alias,
    description: r.description,
    category: r.category,
    filters: r.filters,
    isGlobal: r.isGlobal,
    isPreferenceCenter: r.isPreferenceCenter,
  };
}

const ORDER: Record<string, SegmentListQuery['orderBy']> = {
  id: 'id',
  name: 'name',
  alias: 'alias',
  dateAdded: 'date_added',
  dateModified: 'date_modified',
  isPublished: 'is_published',
};

/** Mautic's alias from a name: lower case, runs of anything else as one dash. */
const aliasOf = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 180) || 'segment';

type SaveRequest =
  | { mode: 'create' | 'put'; id?: number; input: SegmentCreate; actor: Actor }
  | { mode: 'patch'; id: number; input: SegmentPatch; actor: Actor };

@Injectable()
export class SegmentsService {
  constructor(
    private readonly segments: SegmentsRepository,
    private readonly audiences: AudienceRepository,
    private readonly contacts: ContactsRepository,
    private readonly clock: Clock,
  ) {}

  /** Membership definitions of the segments that exist among `ids`, their filters compiled against now. */
  async definitions(ids: number[]): Promise<SegmentDefinition[]> {
    const lookup = await this.lookup([...new Set(ids)]);
    const now = this.clock.now();
    return [...new Set(ids)].flatMap((id) => {
      const r = lookup.segments.get(id);
      if (!r) return [];
      const inner: SegmentLookup = { ...lookup, path: [id] };
      return [
        {
          id,
          predicate: r.filters.length ? (params) => compileFilters(r.filters, params, now, inner)! : null,
          hasAdded: r.hasAdded,
          hasRemoved: r.hasRemoved,
        },
      ];
    });
  }

  /**
   * `ids` and every segment their `leadlist` filters name, transitively (a few levels at most),
   * with their hand-made membership: what compiling their membership needs.
   */
  private async lookup(ids: number[]): Promise<SegmentLookup> {
    const records = new Map<number, SegmentRecord>();
    let next = ids;
    for (let depth = 0; next.length > 0 && depth <= MAX_SEGMENT_NESTING + 1; depth++) {
      const found = await this.segments.findMany(next);
      for (const r of found) records.set(r.id, r);
      next = [...new Set(found.flatMap((r) => referencedSegments(r.filters)))].filter((id) => !records.has(id));
    }
    const dynamic = [...records.values()].filter((r) => r.filters.length > 0).map((r) => r.id);
    const hand = dynamic.length ? await this.segments.handMembership(dynamic) : undefined;
    const segments = new Map(
      [...records.values()].map((r) => [
        r.id,
        {
          id: r.id,
          filters: r.filters,
          ...(hand && r.filters.length > 0 && { hasAdded: hand.added.has(r.id), hasRemoved: hand.removed.has(r.id) }),
        },
      ]),
    );
    return { segments, path: [] };
  }

  async byAlias(alias: string): Promise<SegmentDefinition | undefined> {
    const record = await this.segments.findByAlias(alias.trim().toLowerCase());
    return record && (await this.definitions([record.id]))[0];
  }

  async get(id: number): Promise<SegmentView> {
    const record = await this.segments.findOne(id);
    if (!record) throw DomainError.notFound();
    return toSegmentView(record);
  }

  async list(q: {
    search?: string;
    start: number;
    limit: number;
    orderBy?: string;
    orderByDir: 'asc' | 'desc';
    publishedOnly: boolean;
    where?: WhereClause[];
  }): Promise<{ total: number; segments: SegmentView[] }> {
    const orderBy = ORDER[q.orderBy ?? 'id'];
    if (!orderBy) throw DomainError.validation({ orderBy: [`orderBy is one of ${Object.keys(ORDER).join(', ')}.`] });
    const { total, records } = await this.segments.list({ ...q, orderBy });
    return { total, segments: records.map(toSegmentView) };
  }

  /** Filters checked by the compiler, and regular expressions by PostgreSQL itself. */
  private async checkedFilters(inputs: SegmentFilterInput[]): Promise<SegmentFilter[]> {
    const filters = normalizeFilters(inputs);
    const errors: string[] = [];
    for (const [i, f] of filters.entries())
      if (
        (f.operator === 'regexp' || f.operator === '!regexp') &&
        !(await this.segments.isValidRegex(String(f.filter)))
      )
        errors.push(`#${i + 1} (${f.field}): the regular expression is not valid.`);
    if (errors.length) throw DomainError.validation({ filters: errors });
    return filters;
  }

  async save(req: SaveRequest): Promise<{ segment: SegmentView; created: boolean }> {
    const filters = req.input.filters && (await this.checkedFilters(req.input.filters));
    if (filters && req.id !== undefined) await this.refuseLoops(req.id, filters);
    return this.segments.transaction(async (sql) => {
      const existing = req.id === undefined ? undefined : await this.segments.findOne(req.id, sql, true);
      if (req.mode === 'patch' && !existing) throw DomainError.notFound();
      const input = req.input;
      const base: SegmentWrite =
        req.mode === 'patch' && existing
          ? existing
          : {
              name: '',
              publicName: null,
              alias: '',
              description: null,
              category: null,
              isPublished: true,
              isGlobal: true,
              isPreferenceCenter: false,
              filters: [],
              modifiedById: null,
              modifiedBy: null,
            };
      const name = input.name ?? base.name;
      const next: SegmentWrite = {
        name,
        publicName: input.publicName !== undefined ? input.publicName : base.publicName,
        alias: '',
        description: input.description !== undefined ? input.description : base.description,
        category:
          input.category !== undefined && input.category !== null
            ? String(input.category)
            : input.category === null
              ? null
              : base.category,
        isPublished: input.isPublished ?? base.isPublished,
        isGlobal: input.isGlobal ?? base.isGlobal,
        isPreferenceCenter: input.isPreferenceCenter ?? base.isPreferenceCenter,
        filters: filters ?? base.filters,
        modifiedById: req.actor.id,
        modifiedBy: req.actor.name,
      };
      const wantedAlias = input.alias ?? (existing && req.mode === 'patch' ? existing.alias : aliasOf(name));
      next.alias = await this.segments.freeAlias(wantedAlias, existing?.id ?? null, sql);
      if (existing)
        return { segment: toSegmentView(await this.segments.update(existing.id, next, sql)), created: false };
      const record = await this.segments.insert(
        req.id,
        { ...next, modifiedById: null, modifiedBy: null, createdById: req.actor.id, createdBy: req.actor.name },
        sql,
      );
      if (req.id !== undefined) await this.segments.bumpSequence(sql);
      return { segment: toSegmentView(record), created: true };
    });
  }

  /** A segment may not contain itself through `leadlist` filters, directly or through others. */
  private async refuseLoops(id: number, filters: SegmentFilter[]): Promise<void> {
    const lookup = await this.lookup(referencedSegments(filters));
    try {
      compileFilters(filters, new SqlParams(), this.clock.now(), { ...lookup, path: [id] });
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw DomainError.validation({ filters: [error instanceof Error ? error.message : String(error)] });
    }
  }

  async delete(id: number): Promise<SegmentView> {
    return this.segments.transaction(async (sql) => {
      const record = await this.segments.findOne(id, sql, true);
      if (!record) throw DomainError.notFound();
      await this.segments.delete(id, sql);
      return toSegmentView(record);
    });
  }

  async members(segmentId: number, action: 'add' | 'remove', contactIds: string[]): Promise<string[]> {
    if (!(await this.segments.findOne(segmentId))) throw DomainError.notFound();
    return action === 'add'
      ? this.segments.addMembers(segmentId, contactIds)
      : this.segments.removeMembers(segmentId, contactIds);
  }

  async contactsOf(segmentId: number, start: number, limit: number): Promise<{ total: number; contacts: Contact[] }> {
    const [segment] = await this.definitions([segmentId]);
    if (!segment) throw DomainError.notFound();
    const audience = { all: false, include: [segment], exclude: [] };
    const [total, ids] = await Promise.all([
      this.audiences.count(audience),
      this.audiences.slice(audience, start, limit),
    ]);
    const found = await this.contacts.findMany(ids);
    return { total, contacts: ids.flatMap((id) => (found.has(id) ? [toContact(found.get(id)!)] : [])) };
  }

  /** The segments the contact is in now: its static memberships and every dynamic segment that takes it. */
  async ofContact(contactId: string): Promise<SegmentView[]> {
    if (!(await this.contacts.findOne(contactId))) throw DomainError.notFound();
    const candidates = [
      ...new Set([
        ...(await this.segments.staticSegmentIdsOf(contactId)),
        ...(await this.segments.dynamicSegmentIds()),
      ]),
    ];
    const ids = await this.audiences.segmentsOf(contactId, await this.definitions(candidates));
    return (await this.segments.findMany(ids)).map(toSegmentView);
  }

  /** How many contacts unsaved filters match now (the editor's live count). */
  async preview(inputs: SegmentFilterInput[]): Promise<number> {
    const filters = await this.checkedFilters(inputs);
    if (filters.length === 0) return 0;
    const now = this.clock.now();
    const lookup = await this.lookup(referencedSegments(filters));
    return this.audiences.count({
      all: false,
      include: [
        {
          id: 0,
          predicate: (params) => compileFilters(filters, params, now, lookup)!,
          hasAdded: false,
          hasRemoved: false,
        },
      ],
      exclude: [],
    });
  }
}
