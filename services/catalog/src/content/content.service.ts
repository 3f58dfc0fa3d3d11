import { Injectable } from '@nestjs/common';
import {
  CONTENT_CREATE_SCHEMAS,
  CONTENT_FIELDS,
  CONTENT_INPUT_SCHEMAS,
  DomainError,
  PERSONALISATION_INPUT,
  parseOrThrow,
  type Actor,
  type CatalogChanged,
  type ContentItem,
  type ContentType,
  type ListQuery,
} from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { CatalogChangesPublisher } from '../changes/catalog-changes.publisher';
import type { Item, ItemService, SaveMode } from '../items/item-service';
import { auditColumns, buildListSql, fitReply, type Columns, type ListSpec } from '../items/list-query';
import { auditView, formatDate, PG, pgCode } from '../items/sql';
import { MessagesRepository } from '../messages/messages.repository';
import { IncentivesService } from '../incentives/incentives.service';
import { TemplatesService } from '../templates/templates.service';
import { CONTENT_PUBLISHED_SQL, ContentRepository, type ContentRow, type ContentState } from './content.repository';
import { liquidErrors } from './liquid-check';
import { OptOutRule } from './opt-out.rule';
import { personalisationErrors, personalisationOf, storedVariants, variantsOptOut } from './personalisation';

const COMMON_COLUMNS: Columns = {
  ...auditColumns('ct'),
  name: { sql: 'ct.name', type: 'text' },
  description: { sql: 'ct.description', type: 'text' },
  language: { sql: 'ct.language', type: 'text' },
  publishUp: { sql: 'ct.publish_up', type: 'date' },
  publishDown: { sql: 'ct.publish_down', type: 'date' },
  category: { sql: 'ct.category_id', type: 'int' },
};

const FIELD_TYPES: Record<string, 'int' | 'bool'> = {
  templateId: 'int',
  incentiveId: 'int',
  mobile: 'bool',
  expiresAfterDays: 'int',
};

/** The type's own fields, then its variants (and an email's dynamic content), all kept in `fields`. */
function typeFields(type: ContentType): string[] {
  return [...Object.keys(CONTENT_FIELDS[type].input), ...Object.keys(PERSONALISATION_INPUT[type])];
}

function listSpec(type: ContentType): ListSpec {
  const columns: Columns = { ...COMMON_COLUMNS };
  for (const field of Object.keys(CONTENT_FIELDS[type].input)) {
    const kind = FIELD_TYPES[field];
    const text = `(ct.fields->>'${field}')`;
    columns[field] =
      kind === 'int'
        ? { sql: `${text}::int`, type: 'int' }
        : kind === 'bool'
          ? { sql: `${text}::boolean`, type: 'bool' }
          : { sql: text, type: 'text' };
  }
  return { columns, searchColumn: COMMON_COLUMNS.name, publishedSql: CONTENT_PUBLISHED_SQL };
}

const SPECS = Object.fromEntries((Object.keys(CONTENT_FIELDS) as ContentType[]).map((t) => [t, listSpec(t)])) as Record<
  ContentType,
  ListSpec
>;

const FIELD_DEFAULTS: Record<string, unknown> = { mobile: false, emailType: 'template' };

function fieldDefault(field: string): unknown {
  if (field === 'lists' || field === 'variants' || field === 'dynamicContent') return [];
  return FIELD_DEFAULTS[field] ?? null;
}

/** Stored as segment ids; shown as Mautic shows an email's segments. */
function fieldView(field: string, value: unknown): unknown {
  return field === 'lists' && Array.isArray(value) ? value.map((id) => ({ id })) : value;
}

/** The item in DESIGN §7.2's shape: audit, id, name, description, language, the type's fields, publish dates, category. */
function view(type: ContentType, row: ContentRow): Item {
  const item: Item = {
    ...auditView(row),
    id: row.id,
    name: row.name,
    description: row.description,
    language: row.language,
  };
  for (const field of typeFields(type)) item[field] = fieldView(field, row.fields[field] ?? fieldDefault(field));
  item.publishUp = formatDate(row.publishUp);
  item.publishDown = formatDate(row.publishDown);
  item.category = row.category;
  return item;
}

function merge(
  type: ContentType,
  mode: SaveMode,
  current: ContentState | undefined,
  input: Record<string, unknown>,
): ContentState {
  const keep = mode === 'patch' && current;
  const pick = <T>(key: string, fallback: T, now: T | undefined): T =>
    input[key] !== undefined ? (input[key] as T) : keep ? (now as T) : fallback;
  const fields: Record<string, unknown> = {};
  for (const field of typeFields(type)) fields[field] = pick(field, fieldDefault(field), current?.fields[field]);
  return {
    name: pick('name', '', current?.name),
    description: pick('description', null, current?.description),
    language: pick('language', null, current?.language),
    isPublished: pick('isPublished', true, current?.isPublished),
    publishUp: pick('publishUp', null, current?.publishUp),
    publishDown: pick('publishDown', null, current?.publishDown),
    category: pick('category', null, current?.category),
    fields,
  };
}

/** Emails, smses, notifications and tweets: one table, one service, per-type fields and Liquid checks. */
@Injectable()
export class ContentService {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: ContentRepository,
    private readonly messages: MessagesRepository,
    private readonly templates: TemplatesService,
    private readonly incentives: IncentivesService,
    private readonly changes: CatalogChangesPublisher,
    private readonly optOut: OptOutRule,
  ) {}

  /** The generic item operations for one content type. */
  forType(type: ContentType): ItemService {
    return {
      get: (id) => this.get(type, id),
      list: (query) => this.list(type, query),
      save: (mode, id, input, actor, sink) => this.save(type, mode, id, input, actor, sink),
      delete: (id, sink) => this.delete(type, id, sink),
    };
  }

  async get(type: ContentType, id: number): Promise<Item> {
    const row = await this.repo.findById(type, id);
    if (!row) throw DomainError.notFound();
    return view(type, row);
  }

  /** The item as senders render it (sb.rpc.catalog.content.get). */
  async contentItem(type: ContentType, id: number): Promise<ContentItem> {
    const row = await this.repo.findById(type, id);
    if (!row) throw DomainError.notFound();
    const fields: Record<string, unknown> = {};
    for (const field of Object.keys(CONTENT_FIELDS[type].input))
      fields[field] = row.fields[field] ?? fieldDefault(field);
    const item: ContentItem = {
      type,
      id: row.id,
      name: row.name,
      isPublished: row.isPublished,
      version: row.version,
      fields,
      ...personalisationOf(type, row.fields),
    };
    if (typeof fields.templateId === 'number') item.layout = (await this.templates.layoutOf(fields.templateId)) ?? null;
    return item;
  }

  async list(type: ContentType, query: ListQuery): Promise<{ total: number; items: Item[]; next?: number }> {
    const { rows, total } = await this.repo.list(type, buildListSql(SPECS[type], query));
    const items = rows.map((row) =>
      query.minimal ? { ...auditView(row), id: row.id, name: row.name, description: row.description } : view(type, row),
    );
    return { total, ...fitReply(items, query.start ?? 0) };
  }

  async save(
    type: ContentType,
    mode: SaveMode,
    id: number | undefined,
    raw: Record<string, unknown>,
    actor: Actor,
    sink?: CatalogChanged[],
  ): Promise<{ item: Item; created: boolean }> {
    const input = storedVariants(
      parseOrThrow(mode === 'patch' ? CONTENT_INPUT_SCHEMAS[type] : CONTENT_CREATE_SCHEMAS[type], raw) as Record<
        string,
        unknown
      >,
    );
    let saved: { id: number; version: number; created: boolean; touched: { id: number; version: number }[] };
    try {
      saved = await this.ds.transaction(async (em) => {
        const current = mode !== 'create' && id !== undefined ? await this.repo.lockState(em, type, id) : undefined;
        if (mode === 'patch' && !current) throw DomainError.notFound();
        const state = merge(type, mode, current, input);
        // The merged item must hold as a whole (a PATCH may not clear a required field).
        parseOrThrow(CONTENT_CREATE_SCHEMAS[type], { ...state, ...state.fields });
        const errors = {
          ...liquidErrors(state.fields, CONTENT_FIELDS[type].liquid),
          ...personalisationErrors(type, state.fields),
        };
        const templateId = state.fields.templateId;
        if (typeof templateId === 'number' && !(await this.templates.holdForUse(em, templateId)))
          errors.templateId = ['Template not found.'];
        const incentiveId = state.fields.incentiveId;
        if (typeof incentiveId === 'number' && !(await this.incentives.holdForUse(em, incentiveId)))
          errors.incentiveId = ['Incentive not found.'];
        if (Object.keys(errors).length) throw DomainError.validation(errors);
        const autoAppend = input.autoAppendOptOut === true;
        const layout =
          type === 'email' && typeof templateId === 'number' && this.optOut.applies(autoAppend)
            ? await this.templates.layoutOf(templateId)
            : undefined;
        const verdict = this.optOut.check(type, state, { autoAppend, layout });
        if (!verdict.ok) throw DomainError.validation(verdict.errors);
        // Each variant is sent instead of the base: it answers to the same rule, over the base it inherits.
        const variants = variantsOptOut(verdict.fields, (fields) =>
          this.optOut.check(type, { ...state, fields }, { autoAppend, layout }),
        );
        if (!variants.ok) throw DomainError.validation(variants.errors);
        state.fields = variants.fields;
        const row = current
          ? await this.repo.update(em, type, id!, state, actor)
          : await this.repo.insert(em, type, state, actor);
        const touched = current ? await this.messages.touchUsersOf(em, type, row.id) : [];
        return { ...row, created: !current, touched };
      });
    } catch (error) {
      if (pgCode(error) === PG.foreignKeyViolation) throw DomainError.validation({ category: ['Category not found.'] });
      throw error;
    }
    await this.changes.changed(
      [
        { kind: type, id: saved.id, version: saved.version },
        ...saved.touched.map((m): CatalogChanged => ({ kind: 'message', id: m.id, version: m.version })),
      ],
      sink,
    );
    return { item: await this.get(type, saved.id), created: saved.created };
  }

  async delete(type: ContentType, id: number, sink?: CatalogChanged[]): Promise<Item> {
    const { row, touched } = await this.ds.transaction(async (em) => {
      if (!(await this.repo.lockState(em, type, id))) throw DomainError.notFound();
      const found = (await this.repo.findById(type, id, em))!;
      await this.repo.delete(em, type, id);
      return { row: found, touched: await this.messages.touchUsersOf(em, type, id) };
    });
    await this.changes.changed(
      [
        { kind: type, id, version: row.version + 1 },
        ...touched.map((m): CatalogChanged => ({ kind: 'message', id: m.id, version: m.version })),
      ],
      sink,
    );
    return { ...view(type, row), id: null };
  }
}
