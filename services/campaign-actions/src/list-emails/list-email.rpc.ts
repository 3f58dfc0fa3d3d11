import { Injectable } from '@nestjs/common';
import { campaignsEmailSend } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import type { z } from 'zod';
import { ListEmailService } from './list-email.service';

@Injectable()
export class ListEmailRpc {
  constructor(private readonly emails: ListEmailService) {}

  @RpcHandler(campaignsEmailSend)
  async send(req: z.infer<typeof campaignsEmailSend.request>) {
    return { sentCount: await this.emails.send(req) };
  }
}
