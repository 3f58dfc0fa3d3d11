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

/**
 * One piece of provider feedback about a message already handed to the provider (DESIGN §6): a
 * delivery receipt, a bounce, a complaint, a late failure. It names its dispatch by id (a VERP
 * return path) or by the provider's message id (Twilio SID, SMTP Message-ID, SMPP message id).
 */
export const FeedbackReportSchema = z
  .object({
    event: z.enum(['delivered', 'bounced', 'complained', 'failed']),
    dispatchId: z.string().min(1).max(256).optional(),
    providerMessageId: z.string().min(1).max(998).optional(),
    /** bounced: hard (the address will never work) or soft (try later; SOFT_BOUNCE_LIMIT in a row count as hard). */
    bounce: z.enum(['hard', 'soft']).optional(),
    /** The provider's status or error code (`5.1.1`, Twilio `30005`, SMPP `UNDELIV`). */
    code: z.string().max(200).optional(),
    /** The provider's diagnostic text; it becomes the do-not-contact entry's comments. */
    diagnostic: z.string().max(2_000).optional(),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
    /** Tells two reports of one kind about one dispatch apart (a report's own id); default the kind. */
    reportId: z.string().max(256).optional(),
    /** Which feedback path said it: dsn, arf, ses, sendgrid, twilio, smpp, webpush, fcm. */
    source: z.string().max(40),
  })
  .refine((r) => r.dispatchId !== undefined || r.providerMessageId !== undefined, {
    message: 'A report names its dispatch or the provider message id.',
  });
export type FeedbackReport = z.infer<typeof FeedbackReportSchema>;

export const SenderFeedbackRequestSchema = z.object({ reports: z.array(FeedbackReportSchema).min(1).max(1_000) });
export const SenderFeedbackResultSchema = z.object({
  /** Reports that became delivery events. */
  accepted: z.number().int(),
  /** Reports about no dispatch this sender knows (too old, or another environment's). */
  unknown: z.number().int(),
});

/**
 * sb.rpc.senders.feedback.<channel> — the gateway hands over provider webhooks it verified (SES,
 * SendGrid, Twilio); a sender of the channel finds each dispatch in its attempts and publishes the
 * delivery events.
 */
export const senderFeedback = (channel: Channel) =>
  rpcContract('senders', `feedback.${channel}`, SenderFeedbackRequestSchema, SenderFeedbackResultSchema);
