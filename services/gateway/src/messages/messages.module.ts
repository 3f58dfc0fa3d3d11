import { Module } from '@nestjs/common';
import { MessageCreateSchema, MessageInputSchema, MessageViewSchema } from '@switchboard/contracts';
import { CatalogClientModule } from '../catalog/catalog-client.module';
import { crudController } from '../catalog/crud-controller.factory';

/** `/api/messages` (DESIGN §7.1). */
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

@Module({ imports: [CatalogClientModule], controllers: [MessagesController] })
export class MessagesModule {}
