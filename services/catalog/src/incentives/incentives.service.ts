import { Injectable } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  IncentiveCreateSchema,
  IncentiveInputSchema,
  parseOrThrow,
  type Actor,
  type IncentiveClaim,
  type ListQuery,
} from '@switchboard/contracts';
import type { EntityManager } from 'typeorm';
import type { Item, ItemService, SaveMode } from '../items/item-service';
import { fitReply } from '../items/list-query';
import { auditView, formatDate } from '../items/sql';
import { IncentivesRepository, type IncentiveFields, type IncentiveRow } from './incentives.repository';

/**
 * A claim that found no free code tries again: the last free codes may have been locked by a
 * concurrent claim that then found its send served already (ON CONFLICT) and left them free.
 */
const CLAIM_ROUNDS = 3;

function view(row: IncentiveRow): Item {
  return {
    ...auditView(row),
    id: row.id,
    name: row.name,
    description: row.description,
    expiresAt: formatDate(row.expiresAt),
    codesLeft: row.codesLeft,
    codesIssued: row.codesIssued,
  };
}

/** Coupon pools (`/api/incentives`, DESIGN §7.2): the pool, its codes, and one code per send. */
@Injectable()
export class IncentivesService implements ItemService {
  constructor(private readonly incentives: IncentivesRepository) {}

  async get(id: number): Promise<Item> {
    const row = await this.incentives.find(id);
    if (!row) throw DomainError.notFound();
    return view(row);
  }

  async list(query: ListQuery): Promise<{ total: number; items: Item[]; next?: number }> {
    const { rows, total } = await this.incentives.page(query);
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
  ): Promise<{ item: Item; created: boolean }> {
    const input = parseOrThrow(mode === 'patch' ? IncentiveInputSchema : IncentiveCreateSchema, raw);
    const saved = await this.incentives.transaction(async (em) => {
      const current = mode !== 'create' && id !== undefined ? await this.incentives.lock(em, id) : undefined;
      if (mode === 'patch' && !current) throw DomainError.notFound();
      const keep = mode === 'patch' ? current : undefined;
      const pick = <K extends keyof IncentiveFields>(
        key: K,
        value: IncentiveFields[K] | undefined,
        fallback: IncentiveFields[K],
      ) => (value !== undefined ? value : keep ? keep[key] : fallback);
      const fields: IncentiveFields = {
        name: pick('name', input.name, ''),
        description: pick('description', input.description, null),
        isPublished: pick('isPublished', input.isPublished, true),
        expiresAt: pick('expiresAt', input.expiresAt, null),
      };
      const row = current
        ? await this.incentives.update(em, current.id, fields, actor.id, actor.name)
        : await this.incentives.insert(em, fields, actor.id, actor.name);
      return { id: row.id, created: !current };
    });
    return { item: await this.get(saved.id), created: saved.created };
  }

  /** Refused (409) while content takes codes from the pool: its sends would all skip. */
  async delete(id: number): Promise<Item> {
    const deleted = await this.incentives.transaction(async (em) => {
      if (!(await this.incentives.lock(em, id))) throw DomainError.notFound();
      const row = (await this.incentives.find(id, em))!;
      const users = await this.incentives.contentUsing(em, id, 11);
      if (users.length) {
        const named = users.slice(0, 10).map((u) => `${u.type} ${u.id}`);
        throw new DomainError(
          ErrorCode.Conflict,
          `The incentive is used by ${named.join(', ')}${users.length > 10 ? ' and more' : ''}.`,
        );
      }
      await this.incentives.delete(em, id);
      return row;
    });
    return { ...view(deleted), id: null };
  }

  async addCodes(id: number, codes: string[]): Promise<{ added: number; duplicates: number }> {
    if (!(await this.incentives.find(id))) throw DomainError.notFound();
    const added = codes.length ? await this.incentives.addCodes(id, codes) : 0;
    return { added, duplicates: codes.length - added };
  }

  /**
   * One code per (pool, send) for each claim, in the order asked: the code the send holds already
   * (a redelivery, a re-route, a second sender instance), else a free one; null when none is left
   * or the pool expired or is gone.
   */
  async claim(claims: IncentiveClaim[]): Promise<{ sendId: string; incentiveId: number; code: string | null }[]> {
    const byPool = new Map<number, Set<string>>();
    for (const c of claims) {
      const sends = byPool.get(c.incentiveId) ?? new Set<string>();
      sends.add(c.sendId);
      byPool.set(c.incentiveId, sends);
    }
    const codes = new Map<string, string>();
    for (const [incentiveId, sends] of byPool) {
      const key = (sendId: string) => `${incentiveId}:${sendId}`;
      let rest = [...sends];
      for (let round = 0; round < CLAIM_ROUNDS && rest.length; round++) {
        for (const r of await this.incentives.claim(incentiveId, rest)) codes.set(key(r.sendId), r.code);
        rest = rest.filter((s) => !codes.has(key(s)));
        if (!rest.length) break;
        // Those the claim skipped may hold a code already: given before, or by a concurrent claim that committed since.
        for (const r of await this.incentives.issued(incentiveId, rest)) codes.set(key(r.sendId), r.code);
        rest = rest.filter((s) => !codes.has(key(s)));
      }
    }
    return claims.map((c) => ({
      sendId: c.sendId,
      incentiveId: c.incentiveId,
      code: codes.get(`${c.incentiveId}:${c.sendId}`) ?? null,
    }));
  }

  /** Whether the pool exists, kept so until `em` commits. */
  holdForUse(em: EntityManager, id: number): Promise<boolean> {
    return this.incentives.holdForUse(em, id);
  }
}
