import { Module, type DynamicModule } from '@nestjs/common';
import { serviceModule, type ServiceModuleOptions } from '@switchboard/service-kit';
import { CategoriesRepository } from './categories/categories.repository';
import { CategoriesService } from './categories/categories.service';
import { CategoryEntity } from './categories/category.entity';
import type { CatalogConfig } from './catalog.config';
import { CatalogChangesPublisher } from './changes/catalog-changes.publisher';
import { ContentRepository } from './content/content.repository';
import { ContentService } from './content/content.service';
import { OptOutRule } from './content/opt-out.rule';
import { IncentivesRepository } from './incentives/incentives.repository';
import { IncentivesService } from './incentives/incentives.service';
import { CatalogRpcHandler } from './items/catalog-rpc.handler';
import { MessagesRepository } from './messages/messages.repository';
import { MessagesService } from './messages/messages.service';
import { CATALOG_MIGRATIONS } from './migrations';
import { TemplatesRepository } from './templates/templates.repository';
import { TemplatesService } from './templates/templates.service';

@Module({})
export class CatalogModule {}

/** Marketing messages, channel content, categories and email templates; served over sb.rpc.catalog.*. */
export function createCatalogModule(config: CatalogConfig, options: ServiceModuleOptions = {}): DynamicModule {
  return serviceModule(CatalogModule, {
    service: 'catalog',
    config,
    ...options,
    database: {
      schema: 'catalog',
      entities: [CategoryEntity],
      migrations: CATALOG_MIGRATIONS,
      poolSize: config.poolSize,
    },
    providers: [
      CatalogChangesPublisher,
      MessagesRepository,
      MessagesService,
      ContentRepository,
      ContentService,
      OptOutRule,
      CategoriesRepository,
      CategoriesService,
      TemplatesRepository,
      TemplatesService,
      IncentivesRepository,
      IncentivesService,
      CatalogRpcHandler,
    ],
  });
}
