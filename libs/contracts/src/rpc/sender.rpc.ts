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

/** The dispatch ids of test sends: nothing downstream may count one (an inbox read of a test publishes no `opened`). */
const TEST_DISPATCH_PREFIX = 'test-';
export const testDispatchId = (unique: string): string => `${TEST_DISPATCH_PREFIX}${unique}`;
export const isTestDispatch = (dispatchId: string): boolean => dispatchId.startsWith(TEST_DISPATCH_PREFIX);

/**
 * sb.rpc.sender-email.webview.get — the copy sender-email kept of a sent email whose content uses
 * `{{ webview_url }}` (Mautic's `{webview_url}`): its subject and its HTML as sent, without the open
 * pixel. NOT_FOUND when there is none: the content had no web view link, the copy is past its
 * retention (EMAIL_WEBVIEW_RETENTION_DAYS), or the contact was erased.
 */
export const senderEmailWebView = rpcContract(
  'sender-email',
  'webview.get',
  z.object({ dispatchId: z.string().min(1).max(512) }),
  z.object({ subject: z.string(), html: z.string() }),
);
