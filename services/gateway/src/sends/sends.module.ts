import { Module } from '@nestjs/common';
import { CatalogClientModule } from '../catalog/catalog-client.module';
import { SendsController } from './sends.controller';
import { SendsService } from './sends.service';

/** POST /api/messages/{id}/contact/{contactId}/send and GET /api/sends/{sendId} (DESIGN §7.1, §7.5). */
@Module({
  imports: [CatalogClientModule],
  controllers: [SendsController],
  providers: [SendsService],
  exports: [SendsService],
})
export class SendsModule {}
