import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { preferencesDecide, unpackDecisionRequests } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { DecisionsService } from './decisions.service';

@Injectable()
export class DecisionsRpc {
  constructor(private readonly decisions: DecisionsService) {}

  @RpcHandler(preferencesDecide)
  async decide(req: z.infer<typeof preferencesDecide.request>): Promise<z.input<typeof preferencesDecide.response>> {
    return { decisions: await this.decisions.decide(unpackDecisionRequests(req)) };
  }
}
