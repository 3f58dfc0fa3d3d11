export * from './catalog.rpc';
export * from './preferences.rpc';
