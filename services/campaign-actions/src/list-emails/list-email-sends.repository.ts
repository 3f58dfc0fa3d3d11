import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** campaign_actions.list_email_sends: the members a segment email was sent to. */
interface ContactIdRow {
  contact_id: string;
}

@Injectable()
export class ListEmailSendsRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Records up to `limit` of `contactIds` not sent this email yet, and runs `publish` with them
   * before the record commits: a publish that fails records nothing, and a crash after the
   * publish and before the commit sends them again with the same send ids (harmless, DESIGN §5).
   * Concurrent calls for one email wait on each other's rows, so a member is sent it once.
   */
  async recordNew(
    emailId: number,
    contactIds: string[],
    limit: number,
    publish: (fresh: string[]) => Promise<void>,
  ): Promise<number> {
    if (contactIds.length === 0 || limit <= 0) return 0;
    return this.ds.transaction(async (em) => {
      const rows = await em.query<ContactIdRow[]>(
        `INSERT INTO campaign_actions.list_email_sends (email_id, contact_id)
         SELECT $1, c.id FROM unnest($2::text[]) AS c(id)
          WHERE NOT EXISTS (SELECT 1 FROM campaign_actions.list_email_sends s WHERE s.email_id = $1 AND s.contact_id = c.id)
          LIMIT $3
         ON CONFLICT DO NOTHING
         RETURNING contact_id`,
        [emailId, contactIds, limit],
      );
      const fresh = rows.map((r) => r.contact_id);
      if (fresh.length > 0) await publish(fresh);
      return fresh.length;
    });
  }
}
