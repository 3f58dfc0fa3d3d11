import { Controller, HttpCode, Post } from '@nestjs/common';
import { ContactIdSchema } from '@switchboard/contracts';
import { z } from 'zod';
import { ApiDoc, ZodBody } from '../http';
import { InboxTokens } from './inbox-tokens';

const TokenRequestSchema = z.object({
  contactId: ContactIdSchema,
  ttlSeconds: z.coerce.number().int().min(60).max(86_400).default(3600),
});

/**
 * POST /api/inbox/token: an inbox token for one contact, signed by the gateway. For the admin UI's
 * widget page and for trying the API; a customer's backend signs its users' tokens itself.
 */
@Controller('api/inbox')
export class InboxTokensController {
  constructor(private readonly tokens: InboxTokens) {}

  @Post('token')
  @HttpCode(200)
  @ApiDoc({ summary: 'An inbox token (HS256 JWT, `sub` = the contact) for the end-user /inbox API', tags: ['inbox'] })
  sign(@ZodBody(TokenRequestSchema) body: z.infer<typeof TokenRequestSchema>) {
    return this.tokens.sign(body.contactId, body.ttlSeconds);
  }
}
