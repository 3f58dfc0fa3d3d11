export * from './headers';
export * from './streams';
export * from './publisher';
export * from './outcome';
export * from './consumer-runner';
export * from './rpc';
export * from './messaging.decorators';
export * from './messaging.module';
