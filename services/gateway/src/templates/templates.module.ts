import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { z } from 'zod';
import {
  TemplateCreateSchema,
  TemplateInputSchema,
  TemplatePreviewRequestSchema,
  TemplateViewSchema,
} from '@switchboard/contracts';
import { CurrentPrincipal, Roles, type Principal } from '../auth/public.decorator';
import { CatalogClientModule } from '../catalog/catalog-client.module';
import { CatalogClient } from '../catalog/catalog.client';
import { crudController } from '../catalog/crud-controller.factory';
import { ContentModule } from '../content/content.module';
import { PreviewService } from '../content/preview.service';
import { ApiDoc, IdParam, ZodBody } from '../http';

const CopyRequestSchema = z.object({ name: TemplateInputSchema.shape.name });

/** `/api/templates` (DESIGN §7.4): CRUD, plus copy and preview. */
const TemplatesCrudController = crudController({
  kind: 'template',
  path: 'templates',
  item: 'template',
  list: 'templates',
  createSchema: TemplateCreateSchema,
  patchSchema: TemplateInputSchema,
  viewSchema: TemplateViewSchema,
  tag: 'templates',
});

@Controller('api/templates')
class TemplateActionsController {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly previews: PreviewService,
  ) {}

  @Post(':id/copy')
  @HttpCode(201)
  @ApiDoc({
    summary: 'Copy a template (name: the given one, or "<name> (copy)"; unpublished)',
    tags: ['templates'],
    body: CopyRequestSchema,
    responses: { 201: z.object({ template: TemplateViewSchema }) },
  })
  async copy(
    @IdParam() id: number,
    @ZodBody(CopyRequestSchema) body: z.infer<typeof CopyRequestSchema>,
    @CurrentPrincipal() principal: Principal,
  ) {
    const source = await this.catalog.get('template', id);
    const category = source.category as { id: number } | null;
    const input = {
      name: body.name ?? `${String(source.name)} (copy)`,
      description: source.description,
      html: source.html,
      category: category?.id ?? null,
      isPublished: false,
    };
    return { template: (await this.catalog.save('template', 'create', undefined, input, principal)).item };
  }

  // Approvers review the content they approve; a preview changes nothing.
  @Roles('marketer', 'approver')
  @Post(':id/preview')
  @HttpCode(200)
  @ApiDoc({
    summary: 'Render a template around sample content, for a contact id or sample fields',
    tags: ['templates'],
    body: TemplatePreviewRequestSchema,
    responses: { 200: z.object({ preview: z.object({ html: z.string() }) }) },
  })
  async preview(
    @IdParam() id: number,
    @ZodBody(TemplatePreviewRequestSchema) body: z.infer<typeof TemplatePreviewRequestSchema>,
  ) {
    const template = await this.catalog.get('template', id);
    return { preview: await this.previews.previewTemplate(String(template.html), body) };
  }
}

@Module({
  imports: [CatalogClientModule, ContentModule],
  controllers: [TemplatesCrudController, TemplateActionsController],
})
export class TemplatesModule {}
