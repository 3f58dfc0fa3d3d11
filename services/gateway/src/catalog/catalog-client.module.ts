import { CatalogChanges } from '@switchboard/messaging';
import { Module } from '@nestjs/common';
import { CatalogCache } from './catalog-cache';
import { CatalogClient } from './catalog.client';

@Module({ providers: [CatalogChanges, CatalogClient, CatalogCache], exports: [CatalogClient, CatalogCache] })
export class CatalogClientModule {}
