import { Injectable } from '@nestjs/common';
import {
  DomainError,
  trackerShortLinksList,
  trackerShortLinksResolve,
  trackerShortLinksSave,
  type ShortLink,
} from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { ShortLinksRepository } from './short-links.repository';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

@Injectable()
export class ShortLinksRpc {
  constructor(private readonly links: ShortLinksRepository) {}

  @RpcHandler(trackerShortLinksSave)
  async save(req: { links: ShortLink[] }) {
    return { saved: await this.links.save(req.links) };
  }

  @RpcHandler(trackerShortLinksResolve)
  async resolve(req: { code: string; count: boolean }) {
    const token = await this.links.resolve(req.code, req.count);
    if (!token) throw DomainError.notFound();
    return { token };
  }

  @RpcHandler(trackerShortLinksList)
  async list(req: { messageId: number; start: number; limit: number }) {
    const rows = await this.links.list(req.messageId, req.start, req.limit);
    return {
      total: rows.length ? Number(rows[0].total) : 0,
      shortlinks: rows.map((r) => ({
        code: r.code,
        url: r.url,
        clicks: r.clicks,
        dateAdded: iso(r.dateAdded)!,
        lastClickedAt: iso(r.lastClickedAt),
      })),
    };
  }
}
