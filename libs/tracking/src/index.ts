export * from './tracking-token';
