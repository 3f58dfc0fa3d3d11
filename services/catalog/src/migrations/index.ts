import { CreateCatalog1767100000100 } from './1767100000100-CreateCatalog';
import { CreateTemplates1767100000200 } from './1767100000200-CreateTemplates';

export const CATALOG_MIGRATIONS: Function[] = [CreateCatalog1767100000100, CreateTemplates1767100000200];
