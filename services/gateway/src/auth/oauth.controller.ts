import { Controller, Headers, HttpCode, Ip, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, TokenRequestSchema, TokenResponseSchema, type TokenRequest } from '@switchboard/contracts';
import { ApiDoc, ZodBody } from '../http';
import { AuthService, parseBasic } from './auth.service';
import { Public } from './public.decorator';

@Controller('oauth/v2')
export class OAuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('token')
  @HttpCode(200)
  @ApiDoc({
    summary: 'OAuth2 client credentials: a bearer token',
    tags: ['auth'],
    responses: { 200: TokenResponseSchema, 401: 'Invalid client' },
  })
  async token(
    @ZodBody(TokenRequestSchema) body: TokenRequest,
    @Headers('authorization') authorization: string | undefined,
    @Ip() address: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (body.grant_type !== 'client_credentials') {
      throw DomainError.validation({ grant_type: ['Only the client_credentials grant is supported.'] });
    }
    const basic = authorization?.toLowerCase().startsWith('basic ') ? parseBasic(authorization) : undefined;
    const { accessToken, expiresIn } = await this.auth.issueToken(
      body.client_id ?? basic?.username,
      body.client_secret ?? basic?.password,
      address,
    );
    res.setHeader('cache-control', 'no-store');
    return { access_token: accessToken, expires_in: expiresIn, token_type: 'bearer' as const, scope: null };
  }
}
