import { CreateAuth1767100000000 } from './1767100000000-CreateAuth';

/** Every migration of the `gateway` schema, in order. */
export const GATEWAY_MIGRATIONS: Function[] = [CreateAuth1767100000000];
