import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { ClientsController } from './clients.controller';
import { LoginFailuresRepository } from './login-failures.repository';
import { LoginLimiter } from './login-limiter';
import { OAuthController } from './oauth.controller';
import { UsersController } from './users.controller';

@Module({
  controllers: [OAuthController, ClientsController, UsersController],
  providers: [
    AuthRepository,
    AuthService,
    LoginFailuresRepository,
    LoginLimiter,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}
