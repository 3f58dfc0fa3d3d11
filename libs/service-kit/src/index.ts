export * from './health-server';
export * from './nest-logger';
export * from './service-kit.module';
export * from './bootstrap';
