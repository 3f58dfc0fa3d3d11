import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiClientSchema, ClientInputSchema } from '@switchboard/contracts';
import type { z } from 'zod';
import { ApiDoc, IdParam, ZodBody } from '../http';
import { AuthService } from './auth.service';
import { AdminOnly, CurrentPrincipal, type Principal } from './public.decorator';

/** OAuth2 API clients, managed by admins. The secret is shown once, in the creation response. */
@AdminOnly()
@Controller('api/clients')
export class ClientsController {
  constructor(private readonly auth: AuthService) {}

  @Get()
  @ApiDoc({ summary: 'List API clients', tags: ['auth'] })
  async list() {
    const clients = await this.auth.listClients();
    return { total: clients.length, clients };
  }

  @Post('new')
  @HttpCode(201)
  @ApiDoc({
    summary: 'Create an API client (returns its secret once)',
    tags: ['auth'],
    responses: { 201: ApiClientSchema },
  })
  async create(
    @ZodBody(ClientInputSchema) body: z.infer<typeof ClientInputSchema>,
    @CurrentPrincipal() principal: Principal,
  ) {
    return { client: await this.auth.createClient(body.name, body.role, principal) };
  }

  @Delete(':id/delete')
  @ApiDoc({ summary: 'Delete an API client and its tokens', tags: ['auth'] })
  async remove(@IdParam() id: number) {
    return { client: { ...(await this.auth.deleteClient(id)), id: null } };
  }
}
