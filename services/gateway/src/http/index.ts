export * from './mautic-error';
export * from './http-error.filter';
export * from './configure-http';
export * from './zod-validation';
export * from './http.module';
export * from './mautic-list';
