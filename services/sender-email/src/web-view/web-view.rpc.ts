import { Injectable } from '@nestjs/common';
import { DomainError, senderEmailWebView } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import type { z } from 'zod';
import { WebViewRepository } from './web-view.repository';

/** sb.rpc.sender-email.webview.get — the gateway's `/email/view/{token}`, once it verified the token. */
@Injectable()
export class WebViewRpc {
  constructor(private readonly copies: WebViewRepository) {}

  @RpcHandler(senderEmailWebView)
  async get({ dispatchId }: z.infer<(typeof senderEmailWebView)['request']>) {
    const copy = await this.copies.find(dispatchId);
    if (!copy) throw DomainError.notFound('No web view of this email is kept.');
    return copy;
  }
}
