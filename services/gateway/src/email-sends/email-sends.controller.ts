import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ContactIdSchema,
  DomainError,
  EmailContactSendBodySchema,
  EmailContactSendReplySchema,
  EmailSendBodySchema,
  EmailSendReplySchema,
  type EmailContactSendBody,
  type EmailSendBody,
} from '@switchboard/contracts';
import { ApiDoc, IdParam, ZodBody } from '../http';
import { EmailSendsService } from './email-sends.service';

const tags = ['emails'];

@Controller('api/emails')
export class EmailSendsController {
  constructor(private readonly emails: EmailSendsService) {}

  @Post(':id/send')
  @HttpCode(200)
  @ApiDoc({
    summary:
      'Send a segment email (emailType list) to the members of its segments (or of `lists`) who were not sent it yet; `sentCount` = sends requested (each then routed: DNC, addresses and frequency apply)',
    tags,
    body: EmailSendBodySchema,
    responses: { 200: EmailSendReplySchema, 404: 'Item was not found.' },
  })
  async sendToLists(@IdParam() id: number, @ZodBody(EmailSendBodySchema) body: EmailSendBody) {
    const sentCount = await this.emails.sendToLists(id, body);
    // PHP's empty array: what Mautic's clients read when nothing failed while sending.
    return { success: 1 as const, sentCount, failedRecipients: [] };
  }

  @Post(':id/contact/:contactId/send')
  @HttpCode(200)
  @ApiDoc({
    summary: 'Send an email to one contact, `{token}`s in its content replaced by `tokens` (routed like any send)',
    tags,
    body: EmailContactSendBodySchema,
    responses: { 200: EmailContactSendReplySchema, 404: 'Item was not found.' },
  })
  async sendToContact(
    @IdParam() id: number,
    @Param('contactId') contactId: string,
    @ZodBody(EmailContactSendBodySchema) body: EmailContactSendBody,
  ) {
    if (!ContactIdSchema.safeParse(contactId).success) throw DomainError.notFound();
    return { success: true, sendId: await this.emails.sendToContact(id, contactId, body) };
  }
}
