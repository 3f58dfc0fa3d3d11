export * from './channels';
export * from './naming';
export * from './primitives';
export * from './contact';
export * from './events';
export * from './errors';
export * from './validation';
export * from './rpc';
