import { CreateCatalog1767100000100 } from './1767100000100-CreateCatalog';
import { CreateTemplates1767100000200 } from './1767100000200-CreateTemplates';
import { InAppContent1797000000000 } from './1797000000000-InAppContent';
import { CreateIncentives1797000000100 } from './1797000000100-CreateIncentives';
import { EmailMessages1796990000100 } from './1796990000100-EmailMessages';

export const CATALOG_MIGRATIONS: Function[] = [
  CreateCatalog1767100000100,
  CreateTemplates1767100000200,
  InAppContent1797000000000,
  CreateIncentives1797000000100,
  EmailMessages1796990000100,
];
