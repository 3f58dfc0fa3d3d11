import { Controller, Get, Inject } from '@nestjs/common';
import { z } from 'zod';
import { optOutRules } from '@switchboard/contracts';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { ApiDoc } from '../http';
import type { GatewayConfig } from '../gateway.config';

const Patterns = z.array(z.object({ source: z.string(), flags: z.string() }));
const OptOutReply = z.object({
  optOut: z.object({
    sms: z.object({ text: z.string().describe('SMS_OPT_OUT_TEXT'), patterns: Patterns }),
    email: z.object({ patterns: Patterns }),
  }),
});

/**
 * What counts as an opt-out or unsubscribe tag (libs/contracts opt-out.ts) with this deployment's
 * SMS_OPT_OUT_TEXT, so the content editor warns by the server's rule rather than a copy of it.
 */
@Controller('api/content/opt-out')
export class OptOutController {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: GatewayConfig) {}

  @Get()
  @ApiDoc({
    summary: 'Opt-out and unsubscribe tags: the patterns and the configured SMS opt-out text',
    tags: ['smses'],
    responses: { 200: OptOutReply },
  })
  rules() {
    return { optOut: optOutRules(this.config.content.smsOptOutText) };
  }
}
