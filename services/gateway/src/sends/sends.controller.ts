import { Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import {
  ContactIdSchema,
  DomainError,
  IdSchema,
  SendAcceptedSchema,
  SendMessageBodySchema,
  SendRecordResponseSchema,
  type SendMessageBody,
} from '@switchboard/contracts';
import { ApiDoc, IdParam, ZodBody } from '../http';
import { SendsService } from './sends.service';

@Controller('api')
export class SendsController {
  constructor(private readonly sends: SendsService) {}

  @Post('messages/:id/contact/:contactId/send')
  @HttpCode(202)
  @ApiDoc({
    summary: 'Send a marketing message to one contact (routed asynchronously)',
    tags: ['sends'],
    responses: { 202: SendAcceptedSchema, 404: 'Item was not found. (no such message or contact)' },
  })
  async send(
    @IdParam() id: number,
    @Param('contactId') contactId: string,
    @ZodBody(SendMessageBodySchema) body: SendMessageBody,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    if (!ContactIdSchema.safeParse(contactId).success) throw DomainError.notFound();
    return { sendId: await this.sends.request(id, contactId, body, idempotencyKey || undefined) };
  }

  @Get('sends/:sendId')
  @ApiDoc({
    summary:
      'The decision record of one send: candidates, skips, channel, deferrals, dispatches and their delivery events',
    tags: ['sends'],
    responses: { 200: SendRecordResponseSchema },
  })
  async get(@Param('sendId') sendId: string) {
    if (!IdSchema.safeParse(sendId).success) throw DomainError.notFound();
    return { send: await this.sends.get(sendId) };
  }
}
