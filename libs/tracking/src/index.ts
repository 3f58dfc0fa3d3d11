export * from './tracking-token';
export * from './bounce-address';
