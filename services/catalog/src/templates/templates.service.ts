import { Injectable } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  parseOrThrow,
  TemplateCreateSchema,
  TemplateInputSchema,
  UNSUBSCRIBE_URL_TAG,
  type Actor,
  type CatalogChanged,
  type ListQuery,
} from '@switchboard/contracts';
import type { EntityManager } from 'typeorm';
import { CatalogChangesPublisher } from '../changes/catalog-changes.publisher';
import { liquidErrors } from '../content/liquid-check';
import { OptOutRule } from '../content/opt-out.rule';
import type { Item, ItemService, SaveMode } from '../items/item-service';
import { fitReply } from '../items/list-query';
import { auditView, PG, pgCode } from '../items/sql';
import { TemplatesRepository, type TemplateFields, type TemplateRow } from './templates.repository';

function view(row: TemplateRow): Item {
  return {
    ...auditView(row),
    id: row.id,
    name: row.name,
    description: row.description,
    html: row.html,
    category: row.category,
  };
}

/** Email layouts (`/api/templates`): name, description, html with one `{{ content }}` slot, category. */
@Injectable()
export class TemplatesService implements ItemService {
  constructor(
    private readonly templates: TemplatesRepository,
    private readonly changes: CatalogChangesPublisher,
    private readonly optOut: OptOutRule,
  ) {}

  async get(id: number): Promise<Item> {
    const row = await this.templates.find(id);
    if (!row) throw DomainError.notFound();
    return view(row);
  }

  async list(query: ListQuery): Promise<{ total: number; items: Item[]; next?: number }> {
    const { rows, total } = await this.templates.page(query);
    const items = rows.map((row) =>
      query.minimal ? { ...auditView(row), id: row.id, name: row.name, description: row.description } : view(row),
    );
    return { total, ...fitReply(items, query.start ?? 0) };
  }

  async save(
    mode: SaveMode,
    id: number | undefined,
    raw: Record<string, unknown>,
    actor: Actor,
    sink?: CatalogChanged[],
  ): Promise<{ item: Item; created: boolean }> {
    const input = parseOrThrow(mode === 'patch' ? TemplateInputSchema : TemplateCreateSchema, raw);
    const errors = liquidErrors(input, ['html']);
    if (Object.keys(errors).length) throw DomainError.validation(errors);
    let saved: { id: number; version: number; created: boolean };
    try {
      saved = await this.templates.transaction(async (em) => {
        const current = mode !== 'create' && id !== undefined ? await this.templates.lock(em, id) : undefined;
        if (mode === 'patch' && !current) throw DomainError.notFound();
        const keep = mode === 'patch' ? current : undefined;
        const pick = <K extends keyof TemplateFields>(
          key: K,
          value: TemplateFields[K] | undefined,
          fallback: TemplateFields[K],
        ) => (value !== undefined ? value : keep ? keep[key] : fallback);
        const fields: TemplateFields = {
          name: pick('name', input.name, ''),
          description: pick('description', input.description, null),
          html: pick('html', input.html, ''),
          isPublished: pick('isPublished', input.isPublished, true),
          categoryId: pick('categoryId', input.category, null),
        };
        if (current && fields.html !== current.html) await this.keepOptOutOfUsers(em, current.id, fields.html);
        const row = current
          ? await this.templates.update(em, current.id, fields, actor.id, actor.name)
          : await this.templates.insert(em, fields, actor.id, actor.name);
        return { ...row, created: !current };
      });
    } catch (error) {
      if (pgCode(error) === PG.foreignKeyViolation) throw DomainError.validation({ category: ['Category not found.'] });
      throw error;
    }
    // Senders drop the emails they cached on a template change, so the next send has the new layout.
    await this.changes.changed([{ kind: 'template', id: saved.id, version: saved.version }], sink);
    return { item: await this.get(saved.id), created: saved.created };
  }

  /**
   * Under SB_STRICT_OPTOUT, a new layout must leave every published email laid out in it with its
   * unsubscribe link (DESIGN §7.2): an email that took the link from the template would otherwise
   * go out without one. The template row is locked, so an email saved meanwhile waits and then
   * checks itself against the new layout.
   */
  private async keepOptOutOfUsers(em: EntityManager, id: number, html: string): Promise<void> {
    if (!this.optOut.applies(false)) return;
    const losing = (await this.templates.publishedEmailsUsing(em, id))
      .filter((email) => !this.optOut.keepsLinkIn(html, email.fields))
      .map((email) => email.id);
    if (losing.length === 0) return;
    const named = `${losing.slice(0, 10).join(', ')}${losing.length > 10 ? ` and ${losing.length - 10} more` : ''}`;
    throw DomainError.validation({
      html: [
        `Published emails ${named} take their unsubscribe link from this template: keep ${UNSUBSCRIBE_URL_TAG} in it, or put the link in those emails first.`,
      ],
    });
  }

  /** Refused (409) while an email lays itself out in the template. */
  async delete(id: number, sink?: CatalogChanged[]): Promise<Item> {
    const deleted = await this.templates.transaction(async (em) => {
      const current = await this.templates.lock(em, id);
      if (!current) throw DomainError.notFound();
      const users = await this.templates.emailsUsing(em, id, 11);
      if (users.length) {
        throw new DomainError(
          ErrorCode.Conflict,
          `The template is used by emails ${users.slice(0, 10).join(', ')}${users.length > 10 ? ' and more' : ''}.`,
        );
      }
      await this.templates.delete(em, id);
      return current;
    });
    await this.changes.changed([{ kind: 'template', id, version: deleted.version + 1 }], sink);
    return { ...view(deleted), id: null };
  }

  /** The layout of a template (for the emails that name it); undefined when there is none with this id. */
  layoutOf(id: number): Promise<string | undefined> {
    return this.templates.layoutOf(id);
  }

  /** Whether the template exists, kept so until `em` commits (a delete waits, then finds the email using it). */
  holdForUse(em: EntityManager, id: number): Promise<boolean> {
    return this.templates.holdForUse(em, id);
  }
}
