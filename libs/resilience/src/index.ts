export * from './backoff';
export * from './breaker';
