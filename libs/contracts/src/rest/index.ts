export * from './common.dto';
export * from './auth.dto';
