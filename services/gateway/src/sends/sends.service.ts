import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  NatsNames,
  preferencesContactsGet,
  routerSendsGet,
  SendRequestedSchema,
  type SendMessageBody,
  type SendRecord,
  type SendRequested,
  type SendTokens,
} from '@switchboard/contracts';
import { EventPublisher, RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { CatalogClient } from '../catalog/catalog.client';
import type { GatewayConfig } from '../gateway.config';

/** DESIGN §4.5: a send expires 7 days after it was requested. */
const SEND_TTL_MS = 7 * 86_400_000;

@Injectable()
export class SendsService {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly rpc: RpcClient,
    private readonly names: NatsNames,
    private readonly catalog: CatalogClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /**
   * One send request straight to the router. With an idempotency key the send id is derived from
   * it, so a client retrying the same POST gets the same send (and JetStream keeps one request).
   */
  async request(
    messageId: number,
    contactId: string,
    body: SendMessageBody & { tokens?: SendTokens },
    idempotencyKey?: string,
  ): Promise<string> {
    await this.assertExists(messageId, contactId);
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

  /**
   * A send accepted with 202 must be one the router can work on: a missing message or contact is a
   * 404 now, in the Mautic shape, rather than a send that fails out of the client's sight.
   */
  private async assertExists(messageId: number, contactId: string): Promise<void> {
    await Promise.all([
      this.catalog.get('message', messageId),
      this.rpc.call(preferencesContactsGet, { id: contactId }, { timeoutMs: this.config.rpcTimeoutMs }),
    ]);
  }

  async get(sendId: string): Promise<SendRecord> {
    return this.rpc.call(routerSendsGet, { sendId }, { timeoutMs: this.config.rpcTimeoutMs });
  }
}
