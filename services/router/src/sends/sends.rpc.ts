import { Injectable } from '@nestjs/common';
import { routerSendsGet, type SendRecord } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { SendsService } from './sends.service';

@Injectable()
export class SendsRpc {
  constructor(private readonly sends: SendsService) {}

  @RpcHandler(routerSendsGet)
  async get(request: { sendId: string }): Promise<SendRecord> {
    return this.sends.get(request.sendId);
  }
}
