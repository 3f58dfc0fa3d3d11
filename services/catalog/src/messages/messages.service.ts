import { Injectable } from '@nestjs/common';
import {
  DomainError,
  MessageCreateSchema,
  MessageInputSchema,
  parseOrThrow,
  type Actor,
  type CatalogChanged,
  type ErrorDetails,
  type ListQuery,
  type MessageInput,
  type RoutableMessage,
} from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { CatalogChangesPublisher } from '../changes/catalog-changes.publisher';
import type { Item, ItemService, SaveMode } from '../items/item-service';
import { auditColumns, buildListSql, fitReply, type Columns, type ListSpec } from '../items/list-query';
import { auditView, formatDate, PG, pgCode } from '../items/sql';
import { MessagesRepository, PUBLISHED_SQL, type MessageRow, type MessageState } from './messages.repository';

const COLUMNS: Columns = {
  ...auditColumns('m'),
  name: { sql: 'm.name', type: 'text' },
  description: { sql: 'm.description', type: 'text' },
  publishUp: { sql: 'm.publish_up', type: 'date' },
  publishDown: { sql: 'm.publish_down', type: 'date' },
  category: { sql: 'm.category_id', type: 'int' },
};

const LIST_SPEC: ListSpec = { columns: COLUMNS, searchColumn: COLUMNS.name, publishedSql: PUBLISHED_SQL };

/** M of DESIGN §7.1, in its key order. */
function view(row: MessageRow): Item {
  return {
    ...auditView(row),
    id: row.id,
    name: row.name,
    description: row.description,
    publishUp: formatDate(row.publishUp),
    publishDown: formatDate(row.publishDown),
    channels: row.channels ?? [],
    category: row.category,
  };
}

function minimalView(row: MessageRow): Item {
  return { ...auditView(row), id: row.id, name: row.name, description: row.description };
}

/** PUT/create replace every field (omitted → cleared); PATCH keeps what is not given. */
export function mergeMessage(mode: SaveMode, current: MessageState | undefined, input: MessageInput): MessageState {
  if (mode !== 'patch' || !current) {
    return {
      name: input.name ?? '',
      description: input.description ?? null,
      isPublished: input.isPublished ?? true,
      publishUp: input.publishUp ?? null,
      publishDown: input.publishDown ?? null,
      category: input.category ?? null,
      channels: (input.channels ?? []).map((c) => ({
        channel: c.channel,
        channelId: c.channelId ?? null,
        isEnabled: c.isEnabled ?? false,
      })),
    };
  }
  const channels = current.channels.map((c) => ({ ...c }));
  for (const given of input.channels ?? []) {
    const existing = channels.find((c) => c.channel === given.channel);
    if (existing) {
      if (given.channelId !== undefined) existing.channelId = given.channelId;
      if (given.isEnabled !== undefined) existing.isEnabled = given.isEnabled;
    } else {
      channels.push({
        channel: given.channel,
        channelId: given.channelId ?? null,
        isEnabled: given.isEnabled ?? false,
      });
    }
  }
  return {
    name: input.name ?? current.name,
    description: input.description !== undefined ? input.description : current.description,
    isPublished: input.isPublished ?? current.isPublished,
    publishUp: input.publishUp !== undefined ? input.publishUp : current.publishUp,
    publishDown: input.publishDown !== undefined ? input.publishDown : current.publishDown,
    category: input.category !== undefined ? input.category : current.category,
    channels,
  };
}

function validateState(state: MessageState): void {
  const details: ErrorDetails = {};
  for (const c of state.channels) {
    if (c.isEnabled && c.channelId === null) details[`channels.${c.channel}.channelId`] = ['A value is required.'];
  }
  if (state.publishUp && state.publishDown && Date.parse(state.publishDown) <= Date.parse(state.publishUp)) {
    details.publishDown = ['The publish down date must be after the publish up date.'];
  }
  if (Object.keys(details).length) throw DomainError.validation(details);
}

@Injectable()
export class MessagesService implements ItemService {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: MessagesRepository,
    private readonly changes: CatalogChangesPublisher,
  ) {}

  async get(id: number): Promise<Item> {
    const row = await this.repo.findById(id);
    if (!row) throw DomainError.notFound();
    return view(row);
  }

  async list(query: ListQuery): Promise<{ total: number; items: Item[]; next?: number }> {
    const { rows, total } = await this.repo.list(buildListSql(LIST_SPEC, query), query.minimal ?? false);
    const items = rows.map(query.minimal ? minimalView : view);
    return { total, ...fitReply(items, query.start ?? 0) };
  }

  async save(
    mode: SaveMode,
    id: number | undefined,
    raw: Record<string, unknown>,
    actor: Actor,
    sink?: CatalogChanged[],
  ): Promise<{ item: Item; created: boolean }> {
    const input = parseOrThrow(mode === 'patch' ? MessageInputSchema : MessageCreateSchema, raw);
    let saved: { id: number; version: number; created: boolean };
    try {
      saved = await this.ds.transaction(async (em) => {
        const current = mode !== 'create' && id !== undefined ? await this.repo.lockState(em, id) : undefined;
        if (mode === 'patch' && !current) throw DomainError.notFound();
        const state = mergeMessage(mode, current, input);
        validateState(state);
        const row = current ? await this.repo.update(em, id!, state, actor) : await this.repo.insert(em, state, actor);
        await this.repo.replaceChannels(em, row.id, state.channels);
        return { ...row, created: !current };
      });
    } catch (error) {
      if (pgCode(error) === PG.foreignKeyViolation) throw DomainError.validation({ category: ['Category not found.'] });
      throw error;
    }
    await this.changes.changed([{ kind: 'message', id: saved.id, version: saved.version }], sink);
    return { item: await this.get(saved.id), created: saved.created };
  }

  async delete(id: number, sink?: CatalogChanged[]): Promise<Item> {
    const deleted = await this.ds.transaction(async (em) => {
      if (!(await this.repo.lockState(em, id))) throw DomainError.notFound();
      const row = await this.repo.findById(id, em);
      await this.repo.delete(em, id);
      return row!;
    });
    await this.changes.changed([{ kind: 'message', id, version: deleted.version + 1 }], sink);
    return { ...view(deleted), id: null };
  }

  routable(ids: number[]): Promise<RoutableMessage[]> {
    return this.repo.routable(ids);
  }

  /** The hidden message that sends one email alone (Mautic's email send endpoints). */
  emailMessage(emailId: number, name: string): Promise<number> {
    return this.repo.emailMessage(emailId, name);
  }
}
