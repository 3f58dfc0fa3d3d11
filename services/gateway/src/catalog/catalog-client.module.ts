import { Module } from '@nestjs/common';
import { CatalogCache } from './catalog-cache';
import { CatalogClient } from './catalog.client';

@Module({ providers: [CatalogClient, CatalogCache], exports: [CatalogClient, CatalogCache] })
export class CatalogClientModule {}
