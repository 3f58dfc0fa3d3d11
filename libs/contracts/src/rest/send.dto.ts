import { z } from 'zod';
import { ChannelSchema } from '../channels';
import { SendRecordSchema } from '../rpc/router.rpc';

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
