export * from './tracing';
export * from './logger';
export * from './otel-env';
export * from './metrics';
