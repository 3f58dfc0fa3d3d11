import { CreateAuth1767100000000 } from './1767100000000-CreateAuth';
import { UserRoles1767300000000 } from './1767300000000-UserRoles';

/** Every migration of the `gateway` schema, in order. */
export const GATEWAY_MIGRATIONS: Function[] = [CreateAuth1767100000000, UserRoles1767300000000];
