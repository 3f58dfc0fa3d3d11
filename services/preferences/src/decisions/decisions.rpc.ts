import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { packDecisions, preferencesDecide, unpackDecisionRequests } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { DecisionsService } from './decisions.service';

@Injectable()
export class DecisionsRpc {
  constructor(private readonly decisions: DecisionsService) {}

  @RpcHandler(preferencesDecide)
  async decide(req: z.infer<typeof preferencesDecide.request>): Promise<z.input<typeof preferencesDecide.response>> {
    const requests = unpackDecisionRequests(req);
    return { decisions: packDecisions(requests, await this.decisions.decide(requests)) };
  }
}
