import { Module } from '@nestjs/common';
import {
  CategoryCreateSchema,
  CategoryInputSchema,
  CategoryViewSchema,
  CONTENT_CREATE_SCHEMAS,
  CONTENT_INPUT_SCHEMAS,
  CONTENT_OUTPUT_SCHEMAS,
  CONTENT_REST,
  CONTENT_TYPES,
} from '@switchboard/contracts';
import { CatalogClientModule } from '../catalog/catalog-client.module';
import { crudController } from '../catalog/crud-controller.factory';
import { OptOutController } from './opt-out.controller';
import { previewController } from './preview.controller';
import { PreviewService } from './preview.service';
import { testSendController } from './test-send.controller';
import { TestSendService } from './test-send.service';

/** `/api/emails`, `/api/smses`, `/api/notifications`, `/api/tweets`, `/api/inappmessages`, each with preview and test send (DESIGN §7.2), and `/api/categories`. */
const contentControllers = CONTENT_TYPES.flatMap((type) => [
  previewController(type),
  testSendController(type),
  crudController({
    kind: type,
    path: CONTENT_REST[type].path,
    item: CONTENT_REST[type].item,
    list: CONTENT_REST[type].list,
    createSchema: CONTENT_CREATE_SCHEMAS[type],
    patchSchema: CONTENT_INPUT_SCHEMAS[type],
    viewSchema: CONTENT_OUTPUT_SCHEMAS[type],
    tag: CONTENT_REST[type].list,
  }),
]);

const CategoriesController = crudController({
  kind: 'category',
  path: 'categories',
  item: 'category',
  list: 'categories',
  createSchema: CategoryCreateSchema,
  patchSchema: CategoryInputSchema,
  viewSchema: CategoryViewSchema,
  tag: 'categories',
});

@Module({
  imports: [CatalogClientModule],
  controllers: [...contentControllers, CategoriesController, OptOutController],
  providers: [PreviewService, TestSendService],
  exports: [PreviewService],
})
export class ContentModule {}
