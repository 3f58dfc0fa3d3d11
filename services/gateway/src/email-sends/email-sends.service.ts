import { Inject, Injectable } from '@nestjs/common';
import {
  campaignsEmailSend,
  catalogEmailMessage,
  DomainError,
  type EmailContactSendBody,
  type EmailSendBody,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { GatewayConfig } from '../gateway.config';
import { SendsService } from '../sends/sends.service';

/** A segment email pages through its whole audience in one call, as Mautic's does. */
const SEND_TO_LISTS_TIMEOUT_MS = 300_000;

/**
 * Mautic's `POST /api/emails/{id}/send` and `/contact/{contactId}/send`. Each send is routed like
 * any other (DESIGN §4), through the message catalog keeps for the email alone.
 */
@Injectable()
export class EmailSendsService {
  constructor(
    private readonly rpc: RpcClient,
    private readonly sends: SendsService,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Mautic: 404 for a missing or unpublished email; nothing sent (sentCount 0) unless it is a `list` email. */
  async sendToLists(emailId: number, body: EmailSendBody): Promise<number> {
    const { messageId, email } = await this.emailMessage(emailId);
    if (!email.isPublished) throw DomainError.notFound();
    if (email.fields.emailType !== 'list') return 0;
    const lists = body.lists?.length ? body.lists : ((email.fields.lists as number[] | undefined) ?? []);
    const { sentCount } = await this.rpc.call(
      campaignsEmailSend,
      { emailId, messageId, lists, limit: body.limit || null },
      {
        timeoutMs: Math.max(this.config.rpcTimeoutMs, SEND_TO_LISTS_TIMEOUT_MS),
        unavailable: 'Campaigns are not available right now.',
      },
    );
    return sentCount;
  }

  /** One send of the email to one existing contact (SendsService checks it exists), with Mautic's tokens. */
  async sendToContact(emailId: number, contactId: string, body: EmailContactSendBody): Promise<string> {
    const { messageId } = await this.emailMessage(emailId);
    return this.sends.request(messageId, contactId, Object.keys(body.tokens).length ? { tokens: body.tokens } : {});
  }

  private emailMessage(emailId: number) {
    return this.rpc.call(catalogEmailMessage, { emailId }, { timeoutMs: this.config.rpcTimeoutMs });
  }
}
