import { Inject, Injectable } from '@nestjs/common';
import { preferencesAudiencePage, type SendRequested } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { ActionsService } from '../actions/actions.service';
import { sendIdOf } from '../actions/send-id';
import type { CampaignActionsConfig } from '../campaign-actions.config';
import { ListEmailSendsRepository } from './list-email-sends.repository';

/** The send of a segment email to one member: the same on every call, so a redone page is harmless. */
export function listEmailSendIdOf(emailId: number, contactId: string): string {
  return sendIdOf(`email:${emailId}`, contactId);
}

/**
 * Mautic's segment emails (DESIGN §7.4): the email's message to the members of its segments who
 * were not sent it yet, page by page through the audience, at most `limit` in one call. DNC,
 * missing addresses and frequency are the router's, as for every send: they end `failed` or
 * `deferred` there, visible in the stats, and count here as requested.
 */
@Injectable()
export class ListEmailService {
  constructor(
    private readonly rpc: RpcClient,
    private readonly sends: ListEmailSendsRepository,
    private readonly actions: ActionsService,
    @Inject(SERVICE_CONFIG) private readonly config: CampaignActionsConfig,
  ) {}

  async send(req: { emailId: number; messageId: number; lists: number[]; limit: number | null }): Promise<number> {
    if (req.lists.length === 0) return 0;
    let left = req.limit ?? Number.MAX_SAFE_INTEGER;
    let after: string | null = null;
    let sent = 0;
    do {
      const page: { contactIds: string[]; next: string | null } = await this.rpc.call(
        preferencesAudiencePage,
        { audience: { include: req.lists, exclude: [] }, after, limit: this.config.shipments.audiencePage },
        { timeoutMs: this.config.shipments.audienceTimeoutMs },
      );
      const n = await this.sends.recordNew(req.emailId, page.contactIds, left, (fresh) =>
        this.actions.publishRequests(this.requestsOf(req, fresh)),
      );
      sent += n;
      left -= n;
      after = page.next;
    } while (after !== null && left > 0);
    return sent;
  }

  private requestsOf(req: { emailId: number; messageId: number }, contactIds: string[]): SendRequested[] {
    const now = new Date();
    const requestedAt = now.toISOString();
    const expiresAt = new Date(now.getTime() + this.config.actions.sendExpiresAfterMs).toISOString();
    return contactIds.map((contactId) => ({
      sendId: listEmailSendIdOf(req.emailId, contactId),
      messageId: req.messageId,
      contactId,
      requestedAt,
      expiresAt,
      deferrals: 0,
      attempt: 0,
    }));
  }
}
