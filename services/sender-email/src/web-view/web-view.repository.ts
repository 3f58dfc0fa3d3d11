import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ContactDataEraser } from '@switchboard/channel-sdk';
import { execute, type PruneRule } from '@switchboard/persistence';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { EmailConfig } from '../sender-email.config';

const TABLE = 'sender_email.web_view_copies';

/** The email of one dispatch as sent, for its web view. */
export interface WebViewCopy {
  dispatchId: string;
  contactId: string;
  subject: string;
  html: string;
}

type CopyRow = Pick<WebViewCopy, 'subject' | 'html'>;

/** The Pruner's rule for the copies: gone once past EMAIL_WEBVIEW_RETENTION_DAYS. */
export function webViewRetention(config: EmailConfig): PruneRule {
  return { table: TABLE, column: 'created_at', olderThanMs: config.email.webViewRetentionMs };
}

/** The copies of sent emails their `{{ webview_url }}` shows (Mautic's `email_copies`). */
@Injectable()
export class WebViewRepository implements ContactDataEraser {
  constructor(
    private readonly ds: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: EmailConfig,
  ) {}

  /**
   * Stored before the emails go out, one statement for a wave of them: a link must answer the
   * moment its email arrives. A resend overwrites.
   */
  async saveAll(copies: WebViewCopy[]): Promise<void> {
    // One row a dispatch (an upsert may not touch a row twice), the last copy of each winning.
    const byDispatch = [...new Map(copies.map((c) => [c.dispatchId, c])).values()];
    if (byDispatch.length === 0) return;
    // In key order, so two waves that share a dispatch (a redelivery) wait on each other instead of deadlocking.
    await execute(
      this.ds,
      `INSERT INTO ${TABLE} (dispatch_id, contact_id, subject, html)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS c(dispatch_id, contact_id, subject, html)
        ORDER BY dispatch_id
       ON CONFLICT (dispatch_id) DO UPDATE SET subject = EXCLUDED.subject, html = EXCLUDED.html, created_at = now()`,
      [
        byDispatch.map((c) => c.dispatchId),
        byDispatch.map((c) => c.contactId),
        byDispatch.map((c) => c.subject),
        byDispatch.map((c) => c.html),
      ],
    );
  }

  /** The copy, unless past its retention: an expired link is gone even before the Pruner's next run. */
  async find(dispatchId: string): Promise<CopyRow | undefined> {
    const [row] = await this.ds.query<CopyRow[]>(
      `SELECT subject, html FROM ${TABLE}
        WHERE dispatch_id = $1 AND created_at >= now() - make_interval(secs => $2 / 1000.0)`,
      [dispatchId, this.config.email.webViewRetentionMs],
    );
    return row;
  }

  async eraseContact(contactId: string): Promise<void> {
    await execute(this.ds, `DELETE FROM ${TABLE} WHERE contact_id = $1`, [contactId]);
  }
}
