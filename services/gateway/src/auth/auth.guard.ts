import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCode } from '@switchboard/contracts';
import { AuthService } from './auth.service';
import { ADMIN_ONLY, IS_PUBLIC, type AuthenticatedRequest } from './public.decorator';

/** Every route needs credentials unless marked `@Public()`; `@AdminOnly()` routes need an admin user. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.auth.authenticate(req.headers.authorization);
    req.principal = principal;
    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && !principal.isAdmin) {
      throw new DomainError(ErrorCode.Forbidden, 'You do not have access to the requested area/action.');
    }
    return true;
  }
}
