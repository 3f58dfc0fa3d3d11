import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { z } from 'zod';
import { senderTestSend, TestSendRequestSchema } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { GatewayConfig } from '../gateway.config';
import { ApiDoc, IdParam, ZodBody } from '../http';
import { PreviewService } from './preview.service';

const TestSendReplySchema = z.object({
  test: z.object({ address: z.string(), provider: z.string(), providerMessageId: z.string().optional() }),
});

/** `POST /api/emails/{id}/test` (DESIGN §7.2): the email, sent now through a running email sender; nothing counts it. */
@Controller('api/emails')
export class EmailTestSendController {
  constructor(
    private readonly previews: PreviewService,
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post(':id/test')
  @HttpCode(200)
  @ApiDoc({
    summary: 'Send a test of an email (published or not) to an address, for a contact id or sample fields',
    tags: ['emails'],
    body: TestSendRequestSchema,
    responses: { 200: TestSendReplySchema },
  })
  async test(@IdParam() id: number, @ZodBody(TestSendRequestSchema) body: z.infer<typeof TestSendRequestSchema>) {
    const { fields, locale, timezone } = await this.previews.sampleContact(body);
    const contact = { id: body.contactId ?? 'test', address: body.address, locale, timezone, fields };
    const sent = await this.rpc.call(
      senderTestSend('email'),
      { contentId: id, contact },
      {
        timeoutMs: Math.max(this.config.rpcTimeoutMs, 30_000),
        unavailable: 'No email sender is running.',
      },
    );
    return { test: { address: body.address, ...sent } };
  }
}
