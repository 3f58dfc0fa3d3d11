import { Controller, HttpCode, Post, type Type } from '@nestjs/common';
import { z } from 'zod';
import { CONTENT_REST, PreviewRequestSchema, type ContentType } from '@switchboard/contracts';
import { Roles } from '../auth/public.decorator';
import { ApiDoc, IdParam, ZodBody } from '../http';
import { PreviewService } from './preview.service';

/** `POST /api/<type>/{id}/preview` → `{"preview": {field: rendered}}`. */
export function previewController(type: ContentType): Type {
  const { path, list } = CONTENT_REST[type];

  @Controller(`api/${path}`)
  class PreviewController {
    constructor(readonly previews: PreviewService) {}

    // Approvers review the content they approve; a preview changes nothing.
    @Roles('marketer', 'approver')
    @Post(':id/preview')
    @HttpCode(200)
    @ApiDoc({
      summary: `Render a ${CONTENT_REST[type].item} for a contact id or sample fields`,
      tags: [list],
      responses: { 200: z.object({ preview: z.record(z.string(), z.string().nullable()) }) },
    })
    async preview(@IdParam() id: number, @ZodBody(PreviewRequestSchema) body: z.infer<typeof PreviewRequestSchema>) {
      return { preview: await this.previews.preview(type, id, body) };
    }
  }

  Object.defineProperty(PreviewController, 'name', {
    value: `${path.charAt(0).toUpperCase()}${path.slice(1)}PreviewController`,
  });
  return PreviewController;
}
