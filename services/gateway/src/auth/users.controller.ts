import { Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import {
  PasswordChangeSchema,
  UserInputSchema,
  UserPatchSchema,
  UserSchema,
  type UserInput,
  type UserPatch,
} from '@switchboard/contracts';
import type { z } from 'zod';
import { ApiDoc, IdParam, ZodBody } from '../http';
import { AuthService } from './auth.service';
import { CurrentPrincipal, Roles, type Principal } from './public.decorator';

const tags = ['auth'];

/** Users and their roles: admins manage them; every user reads and changes their own. */
@Roles('admin')
@Controller('api/users')
export class UsersController {
  constructor(private readonly auth: AuthService) {}

  @Roles('viewer')
  @Get('self')
  @ApiDoc({ summary: 'The authenticated user (or API client)', tags })
  async self(@CurrentPrincipal() principal: Principal) {
    if (principal.kind === 'client') {
      return { user: null, client: { id: principal.id, name: principal.name, role: principal.role } };
    }
    return { user: await this.auth.getUser(principal.id) };
  }

  @Roles('viewer')
  @Post('self/password')
  @HttpCode(200)
  @ApiDoc({ summary: 'Change your own password (`currentPassword`, `newPassword`)', tags })
  async changePassword(
    @ZodBody(PasswordChangeSchema) body: z.infer<typeof PasswordChangeSchema>,
    @CurrentPrincipal() principal: Principal,
  ) {
    return { user: await this.auth.changeOwnPassword(principal, body.currentPassword, body.newPassword) };
  }

  @Get()
  @ApiDoc({ summary: 'List users', tags })
  async list() {
    const users = await this.auth.listUsers();
    return { total: users.length, users };
  }

  @Post('new')
  @HttpCode(201)
  @ApiDoc({
    summary: 'Create a user (`username`, `password`, `role`: admin|marketer|approver|viewer, `disabled`)',
    tags,
    responses: { 201: UserSchema },
  })
  async create(@ZodBody(UserInputSchema) body: UserInput) {
    return { user: await this.auth.createUser(body) };
  }

  @Get(':id')
  @ApiDoc({ summary: 'One user', tags, responses: { 200: UserSchema } })
  async get(@IdParam() id: number) {
    return { user: await this.auth.getUser(id) };
  }

  @Patch(':id/edit')
  @ApiDoc({ summary: 'Change a user’s role, disabled flag or password', tags, responses: { 200: UserSchema } })
  async edit(@IdParam() id: number, @ZodBody(UserPatchSchema) body: UserPatch) {
    return { user: await this.auth.updateUser(id, body) };
  }
}
