import { Inject, Injectable } from '@nestjs/common';
import {
  senderTestSend,
  type Channel,
  type ContentType,
  type DispatchContactSchema,
  type TestSendRequest,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { z } from 'zod';
import type { GatewayConfig } from '../gateway.config';
import { PreviewService } from './preview.service';

/** A provider round trip under load; a test waits for it, unlike a send. */
const TEST_SEND_TIMEOUT_MS = 30_000;

type Address = TestSendRequest['address'];

/** The channel a test of `type` to `address` goes through, and the address as a dispatch carries it. */
function route(
  type: ContentType,
  address: Address,
): { channel: Channel; address: z.infer<typeof DispatchContactSchema>['address'] } {
  if (type !== 'notification' || typeof address === 'string') return { channel: type, address: address as string };
  // Push addresses are lists of the contact's targets (DESIGN §7.3): a browser's subscription, or a phone.
  return 'endpoint' in address
    ? { channel: 'notification', address: [address] }
    : { channel: 'mobile_notification', address: [address] };
}

/**
 * DESIGN §7.2 test send: the content, rendered for a stored contact or sample fields, sent now to
 * the given address through a running sender of the channel (sb.rpc.senders.test.<channel>, which
 * every sender answers through the channel SDK). Nothing counts it.
 */
@Injectable()
export class TestSendService {
  constructor(
    private readonly previews: PreviewService,
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async send(type: ContentType, contentId: number, request: TestSendRequest) {
    const { channel, address } = route(type, request.address);
    const { fields, locale, timezone } = await this.previews.sampleContact(request);
    // An inbox is the contact's own: the test lands in the inbox the address names.
    const id = type === 'inapp' ? (request.address as string) : (request.contactId ?? 'test');
    const sent = await this.rpc.call(
      senderTestSend(channel),
      { contentId, contact: { id, address, locale, timezone, fields } },
      {
        timeoutMs: Math.max(this.config.rpcTimeoutMs, TEST_SEND_TIMEOUT_MS),
        unavailable: `No ${channel} sender is running.`,
      },
    );
    return { test: { address: request.address, channel, ...sent } };
  }
}
