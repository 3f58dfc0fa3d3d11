import { CreateCatalog1767100000100 } from './1767100000100-CreateCatalog';

export const CATALOG_MIGRATIONS: Function[] = [CreateCatalog1767100000100];
