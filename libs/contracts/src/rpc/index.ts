export * from './catalog.rpc';
export * from './preferences.rpc';
export * from './router.rpc';
export * from './tracker.rpc';
export * from './sender.rpc';
export * from './audience.rpc';
export * from './segments.rpc';
export * from './campaign.rpc';
