import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { preferencesDncAdd, preferencesDncRemove } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { DncService } from './dnc.service';

@Injectable()
export class DncRpc {
  constructor(private readonly dnc: DncService) {}

  @RpcHandler(preferencesDncAdd)
  async add(req: z.infer<typeof preferencesDncAdd.request>): Promise<z.input<typeof preferencesDncAdd.response>> {
    return { contact: await this.dnc.add(req) };
  }

  @RpcHandler(preferencesDncRemove)
  remove(req: z.infer<typeof preferencesDncRemove.request>): Promise<z.input<typeof preferencesDncRemove.response>> {
    return this.dnc.remove(req.contactId, req.channel, req.by);
  }
}
