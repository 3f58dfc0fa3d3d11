export * from './common.dto';
export * from './auth.dto';
export * from './input.dto';
export * from './list.dto';
export * from './message.dto';
export * from './content.dto';
export * from './send.dto';
export * from './tracker.dto';
