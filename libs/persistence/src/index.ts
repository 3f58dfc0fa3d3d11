export * from './snake-naming.strategy';
export * from './data-source';
export * from './persistence.module';
export * from './pruner';
export * from './statements';
export * from './database-errors';
export * from './list-where';
export * from './sql-params';
