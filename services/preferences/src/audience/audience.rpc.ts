import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { preferencesAudienceCount, preferencesAudiencePage } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { AudienceService } from './audience.service';

type Req<C extends { request: z.ZodType }> = z.infer<C['request']>;
type Res<C extends { response: z.ZodType }> = Promise<z.input<C['response']>>;

@Injectable()
export class AudienceRpc {
  constructor(private readonly audiences: AudienceService) {}

  @RpcHandler(preferencesAudiencePage)
  page(req: Req<typeof preferencesAudiencePage>): Res<typeof preferencesAudiencePage> {
    return this.audiences.page(req.audience, req.after, req.limit);
  }

  @RpcHandler(preferencesAudienceCount)
  count(req: Req<typeof preferencesAudienceCount>): Res<typeof preferencesAudienceCount> {
    return this.audiences.count(req.audience);
  }
}
