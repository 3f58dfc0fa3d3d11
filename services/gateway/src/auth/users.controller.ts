import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { UserInputSchema, UserSchema } from '@switchboard/contracts';
import type { z } from 'zod';
import { ApiDoc, ZodBody } from '../http';
import { AuthService } from './auth.service';
import { AdminOnly, CurrentPrincipal, type Principal } from './public.decorator';

@Controller('api/users')
export class UsersController {
  constructor(private readonly auth: AuthService) {}

  @Get('self')
  @ApiDoc({ summary: 'The authenticated user (or API client)', tags: ['auth'] })
  async self(@CurrentPrincipal() principal: Principal) {
    if (principal.kind === 'client') return { user: null, client: { id: principal.id, name: principal.name } };
    return { user: await this.auth.getUser(principal.name) };
  }

  @AdminOnly()
  @Get()
  @ApiDoc({ summary: 'List users', tags: ['auth'] })
  async list() {
    const users = await this.auth.listUsers();
    return { total: users.length, users };
  }

  @AdminOnly()
  @Post('new')
  @HttpCode(201)
  @ApiDoc({ summary: 'Create a user', tags: ['auth'], responses: { 201: UserSchema } })
  async create(@ZodBody(UserInputSchema) body: z.infer<typeof UserInputSchema>) {
    return { user: await this.auth.createUser(body.username, body.password, body.isAdmin) };
  }
}
