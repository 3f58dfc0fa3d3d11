import { z } from 'zod';
import { ChannelSchema } from '../channels';
import { SendTokensSchema } from '../events';
import { SendRecordSchema } from '../rpc/router.rpc';
import { SegmentIdsInput } from './content.dto';
import { IntInput, limitedHtml } from './input.dto';

/** Optional body of POST /api/messages/{id}/contact/{contactId}/send. */
export const SendMessageBodySchema = z.object({
  /** Channel order override for this send (candidates still come from the message). */
  channels: z.array(ChannelSchema).min(1).optional(),
  campaignId: z.union([z.string(), z.number()]).transform(String).optional(),
  campaignEventId: z.union([z.string(), z.number()]).transform(String).optional(),
});
export type SendMessageBody = z.infer<typeof SendMessageBodySchema>;

/** 202 of POST /api/messages/{id}/contact/{contactId}/send. */
export const SendAcceptedSchema = z.object({ sendId: z.string() });

/** 200 of GET /api/sends/{sendId}. */
export const SendRecordResponseSchema = z.object({ send: SendRecordSchema });

/** Body of `POST /api/emails/{id}/send` (Mautic: optional `lists` narrowing the email's segments, `limit`). */
export const EmailSendBodySchema = z.object({
  lists: SegmentIdsInput.optional(),
  limit: IntInput.nullable().optional(),
  /** Mautic's CLI batch size; the API sends in pages anyway. */
  batch: IntInput.nullable().optional(),
});
export type EmailSendBody = z.infer<typeof EmailSendBodySchema>;

/** 200 of `POST /api/emails/{id}/send`, Mautic's shape. */
export const EmailSendReplySchema = z.object({
  success: z.literal(1),
  sentCount: z.number().int(),
  failedRecipients: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]),
});

/** Body of `POST /api/emails/{id}/contact/{contactId}/send` (Mautic: `tokens`, keys with or without braces). */
export const EmailContactSendBodySchema = z.object({
  tokens: z
    .union([z.record(z.string().min(1).max(100), z.union([z.string().max(10_000), z.number()])), z.array(z.never())])
    .optional()
    .transform((tokens) =>
      Object.fromEntries(
        Object.entries(tokens ?? {}).map(([key, value]) => [
          /^\{.*\}$/.test(key) ? key : `{${key}}`,
          limitedHtml(String(value)),
        ]),
      ),
    )
    .pipe(SendTokensSchema),
  assetAttachments: z.array(z.unknown()).optional(),
});
export type EmailContactSendBody = z.infer<typeof EmailContactSendBodySchema>;

/** 200 of `POST /api/emails/{id}/contact/{contactId}/send`, Mautic's shape (`sendId` added). */
export const EmailContactSendReplySchema = z.object({ success: z.boolean(), sendId: z.string() });
