import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Role } from '@switchboard/contracts';
import type { Request } from 'express';

export type { Role } from '@switchboard/contracts';

export const IS_PUBLIC = 'switchboard:public';
export const REQUIRED_ROLES = 'switchboard:roles';

/** Opts a route (or a whole controller) out of authentication: tracking, unsubscribe, token, health. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * The roles that may call a route (or every route of a controller; a route's own declaration
 * wins). Admins may call everything; `viewer` means any authenticated caller. Undeclared routes
 * get the default of `defaultRoles`: reads need `viewer`, every other verb `marketer`.
 */
export const Roles = (...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_ROLES, roles);

/** Only admin users may call it (403 otherwise). */
export const AdminOnly = (): MethodDecorator & ClassDecorator => Roles('admin');

/** The default-deny rule for routes that declare no roles. */
export function defaultRoles(method: string): Role[] {
  return method === 'GET' || method === 'HEAD' ? ['viewer'] : ['marketer'];
}

export function hasRole(role: Role, required: readonly Role[]): boolean {
  return role === 'admin' || required.includes('viewer') || required.includes(role);
}

/** Who is calling: a user (HTTP Basic) or an API client (OAuth2 bearer token). */
export interface Principal {
  kind: 'user' | 'client';
  /** The user's id for `kind: 'user'`, the API client's id otherwise (the two id spaces overlap). */
  id: number;
  /** Username (case as stored) or client name. */
  name: string;
  role: Role;
  isAdmin: boolean;
}

export type AuthenticatedRequest = Request & { principal?: Principal };

/** The authenticated caller of a protected route (undefined only on `@Public()` routes). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
});
