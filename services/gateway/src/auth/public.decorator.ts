import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

export const IS_PUBLIC = 'switchboard:public';
export const ADMIN_ONLY = 'switchboard:admin-only';

/** Opts a route (or a whole controller) out of authentication: tracking, unsubscribe, token, health. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** Only admin users may call it (403 otherwise). */
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(ADMIN_ONLY, true);

/** Who is calling: a user (HTTP Basic) or an API client (OAuth2 bearer token). */
export interface Principal {
  kind: 'user' | 'client';
  id: number;
  name: string;
  isAdmin: boolean;
}

export type AuthenticatedRequest = Request & { principal?: Principal };

/** The authenticated caller of a protected route. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
});
