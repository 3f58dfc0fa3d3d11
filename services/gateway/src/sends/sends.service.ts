import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  NatsNames,
  routerSendsGet,
  SendRequestedSchema,
  type SendMessageBody,
  type SendRecord,
  type SendRequested,
} from '@switchboard/contracts';
import { EventPublisher, RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { GatewayConfig } from '../gateway.config';

/** DESIGN §4.5: a send expires 7 days after it was requested. */
const SEND_TTL_MS = 7 * 86_400_000;

@Injectable()
export class SendsService {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly rpc: RpcClient,
    private readonly names: NatsNames,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /**
   * One send request straight to the router. With an idempotency key the send id is derived from
   * it, so a client retrying the same POST gets the same send (and JetStream keeps one request).
   */
  async request(messageId: number, contactId: string, body: SendMessageBody, idempotencyKey?: string): Promise<string> {
    const sendId = idempotencyKey
      ? createHash('sha256')
          .update(`api\u0000${idempotencyKey}\u0000${messageId}\u0000${contactId}`)
          .digest('hex')
          .slice(0, 32)
      : randomUUID();
    const now = new Date();
    const request: SendRequested = {
      sendId,
      messageId,
      contactId,
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + SEND_TTL_MS).toISOString(),
      deferrals: 0,
      attempt: 0,
      ...body,
    };
    await this.publisher.publish({
      subject: this.names.subjects.sendRequested(),
      msgId: sendId,
      schema: SendRequestedSchema,
      payload: request,
    });
    return sendId;
  }

  async get(sendId: string): Promise<SendRecord> {
    return this.rpc.call(routerSendsGet, { sendId }, { timeoutMs: this.config.rpcTimeoutMs });
  }
}
