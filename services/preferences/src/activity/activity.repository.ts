import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { execute } from '@switchboard/persistence';

export interface ActivityItem {
  contactId: string;
  kind: 'sent' | 'opened' | 'clicked';
  messageId: number;
  at: string;
}

@Injectable()
export class ActivityRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Upserts the latest time of each (contact, kind, message), one statement per batch; events of
   * contacts that do not exist (or were erased) are dropped. Redelivery and reordering are harmless:
   * the newer time wins.
   */
  async record(items: ActivityItem[]): Promise<void> {
    if (items.length === 0) return;
    await execute(
      this.ds,
      `INSERT INTO preferences.contact_activity (contact_id, kind, message_id, last_at)
       SELECT x."contactId", x.kind, x."messageId", max(x.at)
         FROM jsonb_to_recordset($1::jsonb) AS x("contactId" text, kind text, "messageId" bigint, at timestamptz)
         JOIN preferences.contacts c ON c.id = x."contactId"
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ON CONFLICT (contact_id, kind, message_id) DO UPDATE SET last_at = greatest(contact_activity.last_at, excluded.last_at)`,
      [JSON.stringify(items)],
    );
  }
}
