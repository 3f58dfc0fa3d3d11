import { Module } from '@nestjs/common';
import { MessageCreateSchema, MessageInputSchema, MessageViewSchema } from '@switchboard/contracts';
import { CatalogClientModule } from '../catalog/catalog-client.module';
import { crudController } from '../catalog/crud-controller.factory';
import { ContentModule } from '../content/content.module';
import { MessagePreviewController } from './message-preview.controller';
import { MessagePreviewService } from './message-preview.service';

/** `/api/messages` (DESIGN §7.1), and its preview of every channel (§7.2). */
export const MessagesController = crudController({
  kind: 'message',
  path: 'messages',
  item: 'message',
  list: 'messages',
  createSchema: MessageCreateSchema,
  patchSchema: MessageInputSchema,
  viewSchema: MessageViewSchema,
  tag: 'messages',
});

@Module({
  imports: [CatalogClientModule, ContentModule],
  controllers: [MessagesController, MessagePreviewController],
  providers: [MessagePreviewService],
})
export class MessagesModule {}
