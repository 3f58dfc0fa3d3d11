import { z } from 'zod';
import type { Channel } from '../channels';
import { DispatchContactSchema } from '../events';
import { rpcContract } from '../rpc';

export const SenderTestRequestSchema = z.object({
  contentId: z.number().int().positive(),
  /** Who the test goes to and what its Liquid sees; the id names no stored contact. */
  contact: DispatchContactSchema,
});

export const SenderTestResultSchema = z.object({
  provider: z.string(),
  providerMessageId: z.string().optional(),
});

/**
 * sb.rpc.senders.test.<channel> — a sender of the channel renders the content for the contact and
 * sends it now (DESIGN §7.2 test send): unpublished content too, links that track nothing, no
 * attempt recorded and no delivery event, so nothing counts it. A permanent failure (a bad
 * address, content that does not render) is a VALIDATION error, a missing content item
 * NOT_FOUND, a provider that is down UNAVAILABLE.
 */
export const senderTestSend = (channel: Channel) =>
  rpcContract('senders', `test.${channel}`, SenderTestRequestSchema, SenderTestResultSchema);
