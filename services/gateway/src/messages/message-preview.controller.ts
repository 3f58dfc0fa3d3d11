import { Controller, HttpCode, Post } from '@nestjs/common';
import type { z } from 'zod';
import { MessagePreviewReplySchema, PreviewRequestSchema } from '@switchboard/contracts';
import { Roles } from '../auth/public.decorator';
import { ApiDoc, IdParam, ZodBody } from '../http';
import { MessagePreviewService } from './message-preview.service';

@Controller('api/messages')
export class MessagePreviewController {
  constructor(private readonly previews: MessagePreviewService) {}

  // Approvers review what they approve; a preview changes nothing.
  @Roles('marketer', 'approver')
  @Post(':id/preview')
  @HttpCode(200)
  @ApiDoc({
    summary:
      'Render every enabled channel of a marketing message for a contact id or sample fields, side by side; a channel whose content is missing or does not render carries `error`',
    tags: ['messages'],
    body: PreviewRequestSchema,
    responses: { 200: MessagePreviewReplySchema },
  })
  async preview(@IdParam() id: number, @ZodBody(PreviewRequestSchema) body: z.infer<typeof PreviewRequestSchema>) {
    return this.previews.preview(id, body);
  }
}
