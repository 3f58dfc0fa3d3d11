export * from './health-server';
export * from './nest-logger';
export * from './service-kit.module';
export * from './bootstrap';
export * from './service-module';
export * from './poll-loop';
