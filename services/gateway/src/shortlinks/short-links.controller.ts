import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import {
  DomainError,
  ErrorCode,
  SHORT_CODE,
  ShortLinkViewSchema,
  trackerShortLinksList,
  trackerShortLinksResolve,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { Public } from '../auth/public.decorator';
import type { GatewayConfig } from '../gateway.config';
import { ApiDoc, IdParam, ZodQuery } from '../http';
import { TrackingService } from '../tracking/tracking.service';

const ListQuery = z.object({
  start: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * DESIGN §7.2 short links: `/s/{code}` (public) is the click path of the signed token the code
 * stands for — the same 302 and `clicked` event as `/t/c/{token}` — and one more click on the
 * link's own count; `/api/messages/{id}/shortlinks` lists a message's links with their clicks.
 */
@Controller()
export class ShortLinksController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly tracking: TrackingService,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Public()
  @Get('s/:code')
  @ApiDoc({
    summary: 'Short link: 302 to its URL, a `clicked` delivery event and a click on the link',
    tags: ['tracking'],
  })
  async redirect(@Param('code') code: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!SHORT_CODE.test(code)) throw DomainError.notFound();
    // A HEAD (link previews, checkers) resolves without counting.
    const count = req.method === 'GET';
    const { token } = await this.rpc.call(
      trackerShortLinksResolve,
      { code, count },
      { timeoutMs: this.config.rpcTimeoutMs },
    );
    const claims = this.tracking.claims(token, 'click');
    const url = this.tracking.target(claims);
    if (count)
      await this.tracking
        .clicked(claims, url)
        .catch((err: unknown) => this.logger.error({ err }, 'click not recorded'));
    res.setHeader('cache-control', 'no-store');
    res.setHeader('referrer-policy', 'no-referrer');
    res.redirect(302, url);
  }

  @Get('api/messages/:id/shortlinks')
  @ApiDoc({
    summary: 'The short links of a message’s texts, newest first, each with its clicks',
    tags: ['stats'],
    responses: { 200: z.object({ total: z.number().int(), shortlinks: z.array(ShortLinkViewSchema) }) },
  })
  async list(@IdParam() id: number, @ZodQuery(ListQuery) query: z.infer<typeof ListQuery>) {
    try {
      return await this.rpc.call(
        trackerShortLinksList,
        { messageId: id, ...query },
        { timeoutMs: this.config.rpcTimeoutMs, unavailable: 'The tracker is not running.' },
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.NotFound) return { total: 0, shortlinks: [] };
      throw error;
    }
  }
}
