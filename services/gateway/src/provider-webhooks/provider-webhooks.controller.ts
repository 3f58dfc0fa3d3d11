import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Public } from '../auth/public.decorator';
import { ProviderWebhooksService } from './provider-webhooks.service';

/** `POST /webhooks/providers/{twilio|sendgrid|ses}`: public (providers have no credentials of ours), signature-checked. */
@Public()
@Controller('webhooks/providers')
export class ProviderWebhooksController {
  constructor(private readonly webhooks: ProviderWebhooksService) {}

  @Post(':name')
  @HttpCode(200)
  async receive(@Param('name') name: string, @Req() req: Request): Promise<{ accepted: number }> {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    return this.webhooks.receive(name, { url: req.originalUrl, headers: req.headers, body });
  }
}
