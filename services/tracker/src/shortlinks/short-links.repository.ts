import { Injectable } from '@nestjs/common';
import type { ShortLink } from '@switchboard/contracts';
import { returning } from '@switchboard/persistence';
import { DataSource } from 'typeorm';

export interface ShortLinkRow {
  code: string;
  url: string;
  clicks: number;
  dateAdded: Date;
  lastClickedAt: Date | null;
  total: string;
}

/** tracker.short_links: code → click token, and each link's clicks. */
interface CodeRow {
  code: string;
}
interface TokenRow {
  token: string;
}

@Injectable()
export class ShortLinksRepository {
  constructor(private readonly ds: DataSource) {}

  async save(links: ShortLink[]): Promise<number> {
    const rows = await this.ds.query<CodeRow[]>(
      `INSERT INTO tracker.short_links (code, token, message_id, url)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[])
       ON CONFLICT (code) DO NOTHING RETURNING code`,
      [links.map((l) => l.code), links.map((l) => l.token), links.map((l) => l.messageId), links.map((l) => l.url)],
    );
    return rows.length;
  }

  /** The token of a code; with `count`, one more click on the link in the same statement. */
  async resolve(code: string, count: boolean): Promise<string | undefined> {
    if (!count) {
      const rows = await this.ds.query<TokenRow[]>('SELECT token FROM tracker.short_links WHERE code = $1', [code]);
      return rows[0]?.token;
    }
    const rows = await returning<TokenRow>(
      this.ds,
      `UPDATE tracker.short_links SET clicks = clicks + 1, last_clicked_at = now() WHERE code = $1 RETURNING token`,
      [code],
    );
    return rows[0]?.token;
  }

  list(messageId: number, start: number, limit: number): Promise<ShortLinkRow[]> {
    return this.ds.query<ShortLinkRow[]>(
      `SELECT code, url, clicks, created_at AS "dateAdded", last_clicked_at AS "lastClickedAt", count(*) OVER () AS total
         FROM tracker.short_links WHERE message_id = $1 ORDER BY created_at DESC, code LIMIT $2 OFFSET $3`,
      [messageId, limit, start],
    );
  }
}
