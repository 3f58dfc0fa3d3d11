import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCode, type Role } from '@switchboard/contracts';
import { AuthService } from './auth.service';
import { defaultRoles, hasRole, IS_PUBLIC, REQUIRED_ROLES, type AuthenticatedRequest } from './public.decorator';

/**
 * Every route needs credentials unless marked `@Public()`, and a role: the route's `@Roles(...)`,
 * else its controller's, else the default by verb (reads `viewer`, writes `marketer`) — so a
 * route added without thought is closed to viewers and approvers.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.auth.authenticate(req.headers.authorization, req.ip);
    req.principal = principal;
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (!hasRole(principal.role, required ?? defaultRoles(req.method))) {
      throw new DomainError(ErrorCode.Forbidden, 'You do not have access to the requested area/action.');
    }
    return true;
  }
}
